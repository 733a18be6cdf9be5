"""Forms of the calendar pages. They parse and label; the rules are the services'."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calendar_sync.ics_import import IMPORTS_FOR_OTHERS, KINDS, MAX_BYTES
from calendar_sync.models import Event
from calendar_sync.selectors.events import case_choices, external_people_known_to
from cases.models import Case
from cases.models.case import Court
from cases.selectors import cases_visible_to
from firms.models import Membership

HONG_KONG = timezone.get_default_timezone()

REPEATS = [
    ("", _("Does not repeat")),
    ("FREQ=DAILY", _("Every day")),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", _("Every weekday (Monday to Friday)")),
    ("FREQ=WEEKLY", _("Every week")),
    ("FREQ=WEEKLY;INTERVAL=2", _("Every two weeks")),
    ("FREQ=MONTHLY", _("Every month")),
    ("custom", _("Custom rule (RFC 5545 RRULE)")),
]
# Where the service names a field, and where that field is on this form.
FIELD_MAP = {"start": "start_date", "end": "end_date", "rrule": "rrule", "external_attendees": "external_people",
             "reminder_offsets_minutes": "reminders"}
# Reminder lengths as typed: "7d", "2 h", "30m", "1w" (or 天, 小時, 分鐘); "0" is 08:00 on the day.
_REMINDER = re.compile(r"^(\d{1,7})\s*(w|weeks?|d|days?|h|hrs?|hours?|m|mins?|minutes?|週|周|天|日|小時|小时|時|分鐘|分钟|分)?$")
_UNIT_MINUTES = {"w": 7 * 24 * 60, "週": 7 * 24 * 60, "周": 7 * 24 * 60, "d": 24 * 60, "天": 24 * 60, "日": 24 * 60,
                 "h": 60, "小時": 60, "小时": 60, "時": 60, "m": 1, "分鐘": 1, "分钟": 1, "分": 1}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs={"step": 300, **(attrs or {})}, format="%H:%M")


def members_of(firm_id: int):
    return (Membership.objects.filter(firm_id=firm_id, is_active=True).select_related("user")
            .order_by("user__name_en", "user__email"))


def member_label(membership: Membership) -> str:
    return f"{membership.user.display_name} ({membership.get_role_display()})"


def case_label(case: Case) -> str:
    return " · ".join(part for part in (case.case_number, case.reference, case.display_title) if part)


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Event.Kind.choices, initial=Event.Kind.INTERNAL)
    title = forms.CharField(label=_("Title"), max_length=300)
    case = forms.ChoiceField(label=_("Case (optional)"), required=False,
                             help_text=_("Only the people who can see the case will see the event."))
    owner = forms.ChoiceField(label=_("In whose calendar"))
    all_day = forms.BooleanField(label=_("All day"), required=False)
    start_date = forms.DateField(label=_("Starts on"), widget=DateInput())
    start_time = forms.TimeField(label=_("Start time"), required=False, widget=TimeInput(),
                                 help_text=_("Hong Kong time, like 09:30."))
    end_date = forms.DateField(label=_("Ends on (optional)"), required=False, widget=DateInput(),
                               help_text=_("Leave empty for the same day."))
    end_time = forms.TimeField(label=_("End time (optional)"), required=False, widget=TimeInput(),
                               help_text=_("Leave empty for one hour after the start."))
    court = forms.CharField(label=_("Court"), required=False, max_length=100,
                            widget=forms.TextInput(attrs={"list": "court-names"}),
                            help_text=_("For hearings: like High Court or District Court."))
    courtroom = forms.CharField(label=_("Courtroom"), required=False, max_length=50,
                                help_text=_("For hearings: like Court 21, 7/F."))
    attendees = forms.MultipleChoiceField(
        label=_("Who else attends (optional)"), required=False,
        help_text=_("People of the firm. Hold Ctrl (or ⌘ on a Mac) to choose more than one."))
    counsel = forms.MultipleChoiceField(
        label=_("Appearing as counsel (optional)"), required=False,
        help_text=_("For hearings. Caseroom warns when counsel would be at two hearings at once."))
    external_people = forms.MultipleChoiceField(label=_("People from outside the firm (optional)"), required=False)
    location = forms.CharField(label=_("Place (optional)"), required=False, max_length=300)
    notes = forms.CharField(label=_("Notes (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    repeat = forms.ChoiceField(label=_("Repeats"), required=False, choices=REPEATS,
                               help_text=_("Only internal events can repeat."))
    repeat_until = forms.DateField(label=_("Repeat until (optional)"), required=False, widget=DateInput())
    rrule = forms.CharField(label=_("Custom rule"), required=False, max_length=500,
                            widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
                            help_text=_("Like FREQ=MONTHLY;BYDAY=-1FR (the last Friday of each month)."))
    reminders = forms.CharField(
        label=_("Reminders (optional)"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        help_text=_("Leave empty for the firm's reminders. Or list up to 5 for this event, separated by commas, "
                    "like 14d, 2d, 3h, 30m (days, hours, minutes before); 0 is 08:00 on the day. "
                    "For hearings, filing deadlines and limitation dates."))
    accept_conflicts = forms.BooleanField(label=_("Save anyway"), required=False,
                                          help_text=_("Your acceptance of these conflicts is recorded with the event."))

    def __init__(self, *args, membership: Membership, event: Event | None = None, case: Case | None = None,
                 **kwargs):
        self.membership = membership
        self.event = event
        super().__init__(*args, **kwargs)
        people = list(members_of(membership.firm_id))
        if event is not None and event.owner not in people:
            people.append(event.owner)
        self.people = {str(m.pk): m for m in people}
        choices = [(str(m.pk), member_label(m)) for m in people]
        self.fields["owner"].choices = choices
        self.fields["owner"].initial = str(membership.pk)
        self.fields["attendees"].choices = choices
        self.fields["counsel"].choices = choices
        self.outsiders = {str(u.pk): u for u in external_people_known_to(membership.firm_id)}
        self.fields["external_people"].choices = [(pk, u.display_name) for pk, u in self.outsiders.items()]
        cases = list(case_choices(membership))
        for wanted in (case, getattr(event, "case", None)):
            if wanted is not None and wanted not in cases:
                cases.insert(0, wanted)
        self.cases = {str(c.pk): c for c in cases}
        self.fields["case"].choices = [("", _("No case"))] + [(str(c.pk), case_label(c)) for c in cases]
        if case is not None:
            self.fields["case"].initial = str(case.pk)
        self.court_names = [label for _code, label in Court.choices]
        if event is not None:
            self.initial.update(initial_for(event))
            self.fields["owner"].disabled = True
            self.fields["owner"].help_text = _("An event stays in the calendar it was made in.")
            if event.rule_id:  # a computed deadline moves by an override with a reason, not here
                for name in ("kind", "all_day", "start_date", "start_time", "end_date", "end_time"):
                    self.fields[name].disabled = True
                self.fields["start_date"].help_text = _(
                    "Computed from a rule of court; to move it, override the deadline and give the reason.")

    def clean_case(self):
        value = self.cleaned_data.get("case")
        if not value:
            return None
        case = self.cases.get(value) or cases_visible_to(self.membership).filter(pk=value).first()
        if case is None:
            raise forms.ValidationError(_("Choose a case you can see."))
        return case

    def clean_owner(self):
        return self.people[self.cleaned_data["owner"]]

    def clean_attendees(self):
        return [self.people[pk] for pk in self.cleaned_data.get("attendees", [])]

    def clean_counsel(self):
        return [self.people[pk] for pk in self.cleaned_data.get("counsel", [])]

    def clean_external_people(self):
        return [self.outsiders[pk] for pk in self.cleaned_data.get("external_people", [])]

    def clean_reminders(self):
        """Minutes before, as typed (the service checks how many and how far); None if empty."""
        return parse_reminders(self.cleaned_data.get("reminders") or "")

    def clean(self):
        data = super().clean()
        if "start_date" not in data:
            return data
        data["start"], data["end"] = self._times(data)
        repeat = data.get("repeat") or ""
        rule = (data.get("rrule") or "").strip() if repeat == "custom" else repeat
        if repeat == "custom" and not rule:
            self.add_error("rrule", _("Enter the rule, or choose how often it repeats from the list."))
        if rule and data.get("repeat_until") and "UNTIL=" not in rule.upper() and "COUNT=" not in rule.upper():
            rule = f"{rule};UNTIL={data['repeat_until']:%Y%m%d}"
        data["rule"] = rule
        return data

    def _times(self, data):
        """(start, end) as the service takes them; for all day, the end is the day after the last."""
        first = data["start_date"]
        last = data.get("end_date") or first
        if data.get("all_day"):
            start = datetime.combine(first, time.min, tzinfo=HONG_KONG)
            return start, datetime.combine(last + timedelta(days=1), time.min, tzinfo=HONG_KONG)
        if data.get("start_time") is None:
            self.add_error("start_time", _("Enter the start time, or tick “All day”."))
            return None, None
        start = datetime.combine(first, data["start_time"], tzinfo=HONG_KONG)
        if data.get("end_time") is None:
            return start, (start + timedelta(hours=1) if not data.get("end_date") else
                           datetime.combine(last, data["start_time"], tzinfo=HONG_KONG) + timedelta(hours=1))
        return start, datetime.combine(last, data["end_time"], tzinfo=HONG_KONG)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"], "title": data["title"], "case": data["case"], "all_day": bool(data.get("all_day")),
            "start": data["start"], "end": data["end"], "court": data.get("court", ""),
            "courtroom": data.get("courtroom", ""), "location": data.get("location", ""),
            "notes": data.get("notes", ""), "rrule": data["rule"],
            "reminder_offsets_minutes": data.get("reminders"),
            "attendees": data["attendees"], "counsel": data["counsel"], "external_people": data["external_people"],
            "accept_conflicts": bool(data.get("accept_conflicts")),
        }


def initial_for(event: Event) -> dict:
    start, end = timezone.localtime(event.start), timezone.localtime(event.end)
    if event.all_day:
        last = (end - timedelta(days=1)).date() if end > start else start.date()
        times = {"start_date": start.date(), "end_date": last if last != start.date() else None}
    else:
        times = {"start_date": start.date(), "start_time": start.time(),
                 "end_date": end.date() if end.date() != start.date() else None, "end_time": end.time()}
    links = list(event.attendees.all())
    preset = _preset(event.rrule)
    return {
        **times, "kind": event.kind, "title": event.title, "case": str(event.case_id or ""),
        "owner": str(event.owner_id), "all_day": event.all_day, "court": event.court,
        "courtroom": event.courtroom, "location": event.location, "notes": event.notes,
        "attendees": [str(a.membership_id) for a in links if a.membership_id and a.membership_id != event.owner_id],
        "counsel": [str(a.membership_id) for a in links if a.membership_id and a.is_counsel],
        "external_people": [str(a.external_person_id) for a in links if a.external_person_id],
        "repeat": preset if preset is not None else ("custom" if event.rrule else ""),
        "reminders": format_reminders(event.reminder_offsets_minutes),
        "rrule": event.rrule if preset is None else "",
    }


def parse_reminders(text: str) -> list[int] | None:
    """ "14d, 2d, 3h, 0" as minutes before [20160, 2880, 180, 0]; None for an empty field."""
    parts = [part.strip().lower() for part in re.split(r"[,，、;；]", text)]
    parts = [part for part in parts if part]
    if not parts:
        return None
    offsets = []
    for part in parts:
        match = _REMINDER.match(part)
        if match is None or (match.group(2) is None and match.group(1) != "0"):
            raise forms.ValidationError(
                _("“%(part)s” is not a reminder: write it like 7d, 2h or 30m (days, hours, minutes before), "
                  "or 0 for 08:00 on the day.") % {"part": part[:20]})
        unit = match.group(2) or "m"
        offsets.append(int(match.group(1)) * _UNIT_MINUTES.get(unit, _UNIT_MINUTES.get(unit[:1], 1)))
    return offsets


def format_reminders(offsets: list[int] | None) -> str:
    """The stored minutes as the field shows them: [20160, 180, 0] is "14d, 3h, 0"."""
    if offsets is None:
        return ""
    shown = []
    for minutes in offsets:
        if minutes == 0:
            shown.append("0")
        elif minutes % (24 * 60) == 0:
            shown.append(f"{minutes // (24 * 60)}d")
        elif minutes % 60 == 0:
            shown.append(f"{minutes // 60}h")
        else:
            shown.append(f"{minutes}m")
    return ", ".join(shown)


def _preset(rule: str) -> str | None:
    presets = {value for value, _label in REPEATS if value and value != "custom"}
    return rule if rule in presets or rule == "" else None


class ImportForm(forms.Form):
    file = forms.FileField(label=_("ICS file"),
                           help_text=_("An iCalendar file (.ics) exported from Outlook, Google or Apple Calendar; "
                                       "at most 2 MB."))
    kind = forms.ChoiceField(label=_("Import the events as"), widget=forms.RadioSelect,
                             choices=[(k, Event.Kind(k).label) for k in KINDS], initial=Event.Kind.INTERNAL)
    owner = forms.ChoiceField(label=_("Into whose calendar"))

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        people = list(members_of(membership.firm_id)) if membership.role in IMPORTS_FOR_OTHERS else [membership]
        self.people = {str(m.pk): m for m in people}
        self.fields["owner"].choices = [(pk, member_label(m)) for pk, m in self.people.items()]
        self.fields["owner"].initial = str(membership.pk)
        self.fields["file"].widget.attrs["accept"] = ".ics,text/calendar"

    def clean_owner(self):
        return self.people[self.cleaned_data["owner"]]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB. Export a shorter period and import that."))
        return upload
