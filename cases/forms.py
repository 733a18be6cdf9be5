"""Forms of the case pages. They parse and label; the rules are the services' (cases.services)."""

from __future__ import annotations

import re

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Note, Party, Task
from config.errors import ValidationFailed
from config.forms import add_service_errors
from firms.models import Membership


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html in Python."""
    return "".join(f" {conditional_escape(name)}" if value is True else
                   f' {conditional_escape(name)}="{escape(value)}"'
                   for name, value in attrs.items() if value is not False)


class FastSelect(forms.Select):
    """forms.Select with the same HTML as Django's select.html and select_option.html, built in
    Python: the template includes attrs.html and select_option.html once per option, which made a
    menu of 35 tasks or 300 people one of the slowest parts of a case page (docs/performance.md,
    item 4). tests/cases/test_pages_tags.py checks the HTML is the same."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            parts.extend(f'\n  <option value="{escape(option["value"])}"{_attrs(option["attrs"])}>'
                         f'{conditional_escape(option["label"])}</option>\n' for option in group_choices)
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every name, value and label is escaped above


class MemberChoiceField(forms.ModelChoiceField):
    """A member of the firm, shown with both names and role: 陳大文 CHAN Tai Man (Partner)."""

    widget = FastSelect

    def label_from_instance(self, obj):
        return f"{obj.user.display_name} ({obj.get_role_display()})"


def _blank(label):
    return [("", label)]


def members(firm_id, *, roles=None, only=None):
    queryset = Membership.objects.filter(firm_id=firm_id, is_active=True).select_related("user")
    if roles:
        queryset = queryset.filter(role__in=roles)
    if only is not None:
        queryset = queryset.filter(pk__in=only)
    return queryset.order_by("user__name_en", "user__email")


# --- A new case ---------------------------------------------------------------------------


class CaseCreateForm(forms.Form):
    reference = forms.CharField(label=_("Our reference"), max_length=40,
                                help_text=_("The firm's file reference, like CL-2026-0051."))
    title_en = forms.CharField(label=_("Title in English"), max_length=300,
                               help_text=_("Usually the parties: Wing Fat Trading Ltd v Golden Harbour Shipping Co Ltd."))
    title_zh = forms.CharField(label=_("Title in Chinese (optional)"), max_length=300, required=False)
    case_number = forms.CharField(
        label=_("Court case number (optional)"), max_length=32, required=False,
        help_text=_("Like HCA 1234/2024 or DCCJ 567/2025. Leave it empty if proceedings have not started."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "input--code"}))
    unlisted_prefix_ok = forms.BooleanField(
        label=_("The prefix is right"), required=False,
        help_text=_("Tick this only if you have checked the number against the court's papers."),
        widget=forms.CheckboxInput(attrs={"class": "checkbox__input"}))
    court = forms.ChoiceField(label=_("Court (optional)"), required=False, widget=FastSelect,
                              help_text=_("Leave it for Caseroom to work out from the case number."))
    practice_area = forms.ChoiceField(label=_("Practice area"), choices=Case.PracticeArea.choices, widget=FastSelect,
                                      initial=Case.PracticeArea.CIVIL)
    stage = forms.ChoiceField(label=_("Stage"), choices=Case.Stage.choices, initial=Case.Stage.INTAKE,
                              widget=FastSelect)
    responsible_partner = MemberChoiceField(label=_("Responsible partner"), queryset=Membership.objects.none(),
                                            required=False, empty_label=_("Choose later"))
    opened_on = forms.DateField(label=_("Opened on"), widget=DateInput(), required=False,
                                help_text=_("Today, unless the file was opened earlier."))

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["court"].choices = _blank(_("Work it out from the number")) + list(
            Case._meta.get_field("court").choices)
        self.fields["responsible_partner"].queryset = members(membership.firm_id, roles=["partner"])
        today = timezone.localdate()
        self.fields["opened_on"].initial = today
        self.fields["opened_on"].widget.attrs["max"] = today.isoformat()
        if membership.role == Membership.Role.PARTNER:
            self.fields["responsible_partner"].initial = membership.pk

    unknown_prefix = False

    def clean(self):
        """The case number is checked here too, so its problem shows with the parties' problems
        in one go (case_create checks it again)."""
        from cases.services.cases import clean_case_number

        data = super().clean()
        if data.get("case_number") and not self.has_error("case_number") and not self.has_error("court"):
            try:
                clean_case_number(data["case_number"], data.get("court", ""),
                                  unlisted_prefix_ok=data.get("unlisted_prefix_ok", False))
            except ValidationFailed as error:
                self.unknown_prefix = error.code == "unknown_prefix"
                add_service_errors(self, error)
        return data

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["opened_on"] = data.get("opened_on") or None
        return data


# --- A case's own details ------------------------------------------------------------------

MANAGER_FIELDS = ("status", "responsible_partner", "closed_on")
_TAG_SPLIT = re.compile(r"[,，、]")


class CaseEditForm(forms.Form):
    """A case's own details, for cases.services.case_update (which decides what may change and who
    may change it). Only what was changed is sent, as the API's PATCH does.

    Everyone who may see the case may change its titles, number, court, area, stage and tags;
    the status, the responsible partner and the closing date are shown only to those who manage
    the case (cases.permissions.manages_case). Sent anyway by someone else, the service refuses
    them with 403, as it does through the API."""

    title_en = forms.CharField(label=_("Title in English"), max_length=300,
                               error_messages={"required": _("Enter a title for the case.")})
    title_zh = CaseCreateForm.base_fields["title_zh"]
    case_number = CaseCreateForm.base_fields["case_number"]
    unlisted_prefix_ok = CaseCreateForm.base_fields["unlisted_prefix_ok"]
    court = CaseCreateForm.base_fields["court"]
    practice_area = forms.ChoiceField(label=_("Practice area"), choices=Case.PracticeArea.choices,
                                      widget=FastSelect)
    stage = forms.ChoiceField(label=_("Stage"), choices=Case.Stage.choices, widget=FastSelect)
    tags = forms.CharField(label=_("Tags (optional)"), max_length=500, required=False,
                           help_text=_("Separate them with commas, like: bank, urgent."))
    status = forms.ChoiceField(label=_("Status"), widget=FastSelect)
    responsible_partner = MemberChoiceField(label=_("Responsible partner"), queryset=Membership.objects.none(),
                                            required=False, empty_label=_("Not assigned"))
    closed_on = forms.DateField(label=_("Closed on (optional)"), widget=DateInput(), required=False,
                                help_text=_("When the status is Closed. Left empty, closing the case records today."))

    def __init__(self, *args, case: Case, can_manage: bool, **kwargs):
        kwargs.setdefault("initial", {
            "title_en": case.title_en, "title_zh": case.title_zh, "case_number": case.case_number,
            "court": case.court, "practice_area": case.practice_area, "stage": case.stage,
            "tags": ", ".join(case.tags or []), "status": case.status,
            "responsible_partner": case.responsible_partner_id, "closed_on": case.closed_on})
        super().__init__(*args, **kwargs)
        self.case, self.can_manage = case, can_manage
        self.fields["court"].choices = _blank(_("Work it out from the number")) + list(
            Case._meta.get_field("court").choices)
        # An opened case cannot go back to "awaiting conflict clearance" (the service says so too).
        self.fields["status"].choices = [(value, label) for value, label in Case.Status.choices
                                         if value != Case.Status.PENDING or case.status == Case.Status.PENDING]
        # The firm's active partners, and the current one even if no longer active (else saving
        # the form would quietly take them off the case).
        self.fields["responsible_partner"].queryset = Membership.objects.filter(
            Q(firm_id=case.firm_id, role=Membership.Role.PARTNER, is_active=True)
            | Q(pk=case.responsible_partner_id or 0)).select_related("user").order_by("user__name_en", "user__email")
        if not can_manage:
            for name in MANAGER_FIELDS:
                self.fields[name].required = False

    unknown_prefix = False

    def clean(self):
        """A changed case number or court is checked here too, so its problem shows with the
        others in one go, as on the new-case form (case_update checks it again)."""
        data = super().clean()
        case = self.case
        changed = (data.get("case_number", case.case_number) != case.case_number
                   or data.get("court", case.court) != case.court)
        if changed and not self.has_error("case_number") and not self.has_error("court"):
            from cases.services.cases import clean_case_number

            try:
                clean_case_number(data.get("case_number", ""), data.get("court", ""), unlisted_prefix_ok=(
                    data.get("unlisted_prefix_ok", False) or case.case_number_unlisted_prefix))
            except ValidationFailed as error:
                self.unknown_prefix = error.code == "unknown_prefix"
                add_service_errors(self, error)
        return data

    def clean_tags(self) -> list[str]:
        return [tag.strip() for tag in _TAG_SPLIT.split(self.cleaned_data.get("tags") or "") if tag.strip()]

    def _sent(self, name: str) -> bool:
        """Managers' fields count only for managers, or when someone else sends them anyway."""
        return self.can_manage or name not in MANAGER_FIELDS or self.add_prefix(name) in self.data

    def changes(self) -> dict:
        """What differs from the case now, as case_update's keyword arguments."""
        data, case = self.cleaned_data, self.case
        now = {"title_en": case.title_en, "title_zh": case.title_zh, "case_number": case.case_number,
               "court": case.court, "practice_area": case.practice_area, "stage": case.stage,
               "tags": list(case.tags or []), "status": case.status,
               "responsible_partner": case.responsible_partner_id, "closed_on": case.closed_on}
        changes = {}
        for name, before in now.items():
            if not self._sent(name):
                continue
            value = data.get(name)
            after = value.pk if name == "responsible_partner" and value is not None else value
            if after != before:
                changes[name] = value
        if changes.keys() & {"case_number", "court"} and data.get("unlisted_prefix_ok"):
            changes["unlisted_prefix_ok"] = True
        return changes


class PartyRowForm(forms.Form):
    """One row of the new-case form's parties (an empty row is ignored)."""

    role = forms.ChoiceField(label=_("Role"), required=False, widget=FastSelect)
    kind = forms.ChoiceField(label=_("Individual or company"), choices=Party.Kind.choices, widget=FastSelect,
                             initial=Party.Kind.PERSON)
    name_en = forms.CharField(label=_("Name in English"), max_length=300, required=False)
    name_zh = forms.CharField(label=_("Name in Chinese"), max_length=300, required=False)
    is_client = forms.BooleanField(label=_("Our client"), required=False,
                                   widget=forms.CheckboxInput(attrs={"class": "checkbox__input"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _blank(_("Choose a role")) + list(Party.Role.choices)

    def clean(self):
        from cases.services.parties import clean_party

        data = super().clean()
        if not self.has_changed():
            return data
        try:
            data.update(clean_party(role=data.get("role", ""), name_en=data.get("name_en", ""),
                                    name_zh=data.get("name_zh", ""), kind=data.get("kind", "")))
        except ValidationFailed as error:
            for field, problems in error.fields.items():
                for problem in problems:
                    self.add_error(field if field in self.fields else None, problem)
        return data


class BasePartyFormSet(forms.BaseFormSet):
    def parties(self) -> list[dict]:
        return [{key: form.cleaned_data[key] for key in ("role", "kind", "name_en", "name_zh", "is_client")}
                for form in self.forms if form.has_changed() and form.cleaned_data]


PartyFormSet = forms.formset_factory(PartyRowForm, formset=BasePartyFormSet, extra=4, max_num=30,
                                     validate_max=True)


class PartyForm(PartyRowForm):
    """Adding one party to a case (its conflict check runs at once)."""

    def clean(self):
        if not self.has_changed():
            self.add_error("name_en", _("Enter the party's name in English or Chinese (or both)."))
            return self.cleaned_data
        return super().clean()


# --- Tasks ---------------------------------------------------------------------------------

_ESTIMATE = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*h(?:ours?|rs?)?)?\s*(?:(\d+)\s*m(?:in(?:utes?|s)?)?)?\s*$",
                       re.IGNORECASE)


def parse_estimate(text: str) -> int | None:
    """Minutes from "1h 30m", "1.5h", "45m" or "45"; None if empty; ValueError if unreadable."""
    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    match = _ESTIMATE.match(text)
    if not match or not (match.group(1) or match.group(2)):
        raise ValueError(text)
    hours = float(match.group(1) or 0)
    return round(hours * 60) + int(match.group(2) or 0)


def format_estimate(minutes: int | None) -> str:
    if minutes is None:
        return ""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h {rest}m"
    return f"{hours}h" if hours else f"{rest}m"


class TaskForm(forms.Form):
    title = forms.CharField(label=_("What needs doing"), max_length=300)
    parent = forms.ModelChoiceField(label=_("Part of"), queryset=Task.objects.none(), required=False, widget=FastSelect,
                                    empty_label=_("Nothing: a top-level task"))
    assignee = MemberChoiceField(label=_("Assignee"), queryset=Membership.objects.none(), required=False,
                                 empty_label=_("No one yet"))
    reviewer = MemberChoiceField(label=_("Reviewer"), queryset=Membership.objects.none(), required=False,
                                 empty_label=_("No review"))
    due_date = forms.DateField(label=_("Due date"), widget=DateInput(), required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=Task.Priority.choices, widget=FastSelect,
                                 initial=Task.Priority.NORMAL)
    estimate = forms.CharField(label=_("Estimate"), max_length=20, required=False,
                               help_text=_("Hours and minutes, like 1h 30m, or minutes, like 45."))

    def __init__(self, *args, case: Case, team_ids, tree_rows, task: Task | None = None, **kwargs):
        if task is not None:
            kwargs.setdefault("initial", {
                "title": task.title, "parent": task.parent_id, "assignee": task.assignee_id,
                "reviewer": task.reviewer_id, "due_date": task.due_date, "priority": task.priority,
                "estimate": format_estimate(task.estimate_minutes), "description": task.description})
        super().__init__(*args, **kwargs)
        self.case, self.task = case, task
        people = set(team_ids) | {case.responsible_partner_id} - {None}
        if task is not None:
            people |= {task.assignee_id, task.reviewer_id} - {None}
        # One query for both menus (each ModelChoiceField would read its queryset again to render).
        team = list(members(case.firm_id, only=people))
        for name in ("assignee", "reviewer"):
            field = self.fields[name]
            field.queryset = members(case.firm_id, only=people)
            field.choices = [("", field.empty_label)] + [(m.pk, field.label_from_instance(m)) for m in team]
        self.fields["parent"].queryset = Task.objects.filter(case=case)
        # The choices are drawn from the tree already read, indented by depth (no extra query).
        self.fields["parent"].choices = [("", self.fields["parent"].empty_label)] + [
            (node.task.pk, "\u2003" * depth + node.task.title)
            for node, depth in tree_rows if task is None or node.task.pk != task.pk]
        self.fields["due_date"].widget.attrs["min"] = case.opened_on.isoformat()

    def clean_estimate(self):
        try:
            return parse_estimate(self.cleaned_data.get("estimate", ""))
        except ValueError:
            raise forms.ValidationError(
                _("Enter the estimate in hours and minutes, like 1h 30m, or in minutes, like 45.")) from None

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["estimate_minutes"] = data.pop("estimate")
        return data


class TaskEditForm(TaskForm):
    description = forms.CharField(label=_("Details (optional)"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))


TASK_FIELD_MAP = {"estimate_minutes": "estimate"}


# --- People --------------------------------------------------------------------------------


class TeamAddForm(forms.Form):
    membership = MemberChoiceField(label=_("Person"), queryset=Membership.objects.none(),
                                   empty_label=_("Choose a person"))
    is_supervisor = forms.BooleanField(label=_("Supervises the case"), required=False,
                                       widget=forms.CheckboxInput(attrs={"class": "checkbox__input"}))

    def __init__(self, *args, case: Case, exclude_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = members(case.firm_id).exclude(pk__in=exclude_ids)


class AccessGrantForm(forms.Form):
    membership = MemberChoiceField(label=_("Person"), queryset=Membership.objects.none(),
                                   empty_label=_("Choose a person"),
                                   help_text=_("They may see this case without being on its team."))

    def __init__(self, *args, case: Case, exclude_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = members(case.firm_id).exclude(pk__in=exclude_ids).exclude(
            role__in=[Membership.Role.PARTNER, Membership.Role.ADMIN, Membership.Role.COMPLIANCE])


# --- Notes and conflicts -------------------------------------------------------------------


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Note.Kind.choices, initial=Note.Kind.NOTE,
                             widget=forms.RadioSelect)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}), strip=True,
                           help_text=_("Mention someone with @ and the first part of their e-mail "
                                       "address, like @associate: they are told at once."))


class ConflictClearForm(forms.Form):
    reason = forms.CharField(label=_("Why these hits are not a conflict"),
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("For example: same name, different person (different HKID "
                                         "and address). This is kept on the record."))
