"""What the cases API accepts: shapes only (types, required, lengths the database holds).

Whether a value makes sense (a known court prefix, a due date after the case opened, a
task that is not its own ancestor) is the services' to say; these hand them clean data.
Related rows arrive as ids and are looked up inside the asker's firm or case only, so an
id of another firm's row reads as "no such member" / "no such task", never as a leak.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.models import Case, Note, Party, Task
from cases.models.case import Court
from cases.selectors import CASE_SORTS
from cases.selectors.timeline import KINDS, PAGE_SIZE
from firms.models import Membership


class StrictSerializer(serializers.Serializer):
    """Unknown keys are refused, not ignored: a misspelt field must not be a silent no-op."""

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, Mapping) else []
        errors = {name: [_("Unknown field.")] for name in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if errors and isinstance(error.detail, dict):
                raise serializers.ValidationError({**error.detail, **errors}) from None
            raise
        if errors:
            raise serializers.ValidationError(errors)
        return value


def parsed(serializer_class, data, **context) -> dict:
    """Validated data, or the 400 that names the fields."""
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class MemberField(serializers.PrimaryKeyRelatedField):
    """A membership id, looked up among the asker's firm's active members only."""

    default_error_messages = {
        "does_not_exist": _("Not a member of this firm."),
        "incorrect_type": _("Give the member's id, a number."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Membership.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        firm_id = self.context["membership"].firm_id
        return Membership.objects.filter(firm_id=firm_id, is_active=True).select_related("user")


class TaskOfCaseField(serializers.PrimaryKeyRelatedField):
    """A task id, looked up in the case being worked on only."""

    default_error_messages = {
        "does_not_exist": _("No such task in this case."),
        "incorrect_type": _("Give the task's id, a number."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Task.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        return Task.objects.filter(case=self.context["case"])


def _text(max_length: int, **kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, allow_blank=True, **kwargs)


# --- Cases, parties, team, conflicts --------------------------------------------------------


class PartyInput(StrictSerializer):
    role = serializers.ChoiceField(choices=Party.Role.choices)
    kind = serializers.ChoiceField(choices=Party.Kind.choices, required=False)
    name_en = _text(300, required=False, help_text=_("The English name, the Chinese name, or both."))
    name_zh = _text(300, required=False)
    is_client = serializers.BooleanField(required=False)


class CaseCreateInput(StrictSerializer):
    reference = _text(40, help_text=_("The firm's own reference for the case."))
    title_en = _text(300)
    title_zh = _text(300, required=False)
    case_number = _text(40, required=False, help_text=_("The court's number, such as HCA 1234/2024."))
    unlisted_prefix_ok = serializers.BooleanField(
        required=False, help_text=_("Keep a case number whose prefix is not a court prefix we know."))
    court = serializers.ChoiceField(choices=Court.choices, allow_blank=True, required=False)
    practice_area = serializers.ChoiceField(choices=Case.PracticeArea.choices, required=False)
    stage = serializers.ChoiceField(choices=Case.Stage.choices, required=False)
    responsible_partner = MemberField(allow_null=True, required=False)
    opened_on = serializers.DateField(required=False, help_text=_("Today when left out."))
    tags = serializers.ListField(child=_text(40), required=False)
    parties = PartyInput(many=True, required=False)
    team = MemberField(many=True, required=False, help_text=_("Members to put on the case team."))


class CaseUpdateInput(StrictSerializer):
    title_en = serializers.CharField(max_length=300, required=False)
    title_zh = _text(300, required=False)
    case_number = _text(40, required=False)
    unlisted_prefix_ok = serializers.BooleanField(required=False)
    court = serializers.ChoiceField(choices=Court.choices, allow_blank=True, required=False)
    practice_area = serializers.ChoiceField(choices=Case.PracticeArea.choices, required=False)
    stage = serializers.ChoiceField(choices=Case.Stage.choices, required=False)
    status = serializers.ChoiceField(choices=Case.Status.choices, required=False)
    responsible_partner = MemberField(allow_null=True, required=False)
    tags = serializers.ListField(child=_text(40), required=False)
    closed_on = serializers.DateField(allow_null=True, required=False)


class TeamMemberInput(StrictSerializer):
    member = MemberField(help_text=_("The membership id of the person to add."))
    is_supervisor = serializers.BooleanField(required=False)


class ConflictClearInput(StrictSerializer):
    reason = _text(5000, required=False, help_text=_("Why these hits are not a conflict."))


SORTS = sorted(CASE_SORTS)


class CaseListQuery(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True,
                              help_text=_("Words in the title, reference, case number or a party's name."))
    status = serializers.ChoiceField(choices=Case.Status.choices, required=False, allow_blank=True)
    stage = serializers.ChoiceField(choices=Case.Stage.choices, required=False, allow_blank=True)
    practice_area = serializers.ChoiceField(choices=Case.PracticeArea.choices, required=False,
                                            allow_blank=True)
    court = serializers.ChoiceField(choices=Court.choices, required=False, allow_blank=True)
    lawyer = serializers.IntegerField(required=False, help_text=_("A membership id on the case team."))
    sort = serializers.ChoiceField(choices=[*SORTS, *(f"-{s}" for s in SORTS)], required=False,
                                   help_text=_("A field, or -field for descending; -opened when left out."))


# --- Tasks --------------------------------------------------------------------------------


class TaskCreateInput(StrictSerializer):
    title = _text(300)
    description = _text(20_000, required=False)
    priority = serializers.ChoiceField(choices=Task.Priority.choices, required=False)
    assignee = MemberField(allow_null=True, required=False)
    reviewer = MemberField(allow_null=True, required=False)
    due_date = serializers.DateField(allow_null=True, required=False)
    estimate_minutes = serializers.IntegerField(allow_null=True, required=False)
    parent = TaskOfCaseField(allow_null=True, required=False,
                             help_text=_("The task this is a subtask of; none for a top-level task."))


class TaskUpdateInput(TaskCreateInput):
    title = _text(300, required=False)
    status = serializers.ChoiceField(choices=Task.Status.choices, required=False)


class TaskStatusInput(StrictSerializer):
    status = serializers.ChoiceField(choices=Task.Status.choices)


# --- Notes and the timeline ---------------------------------------------------------------


class NoteInput(StrictSerializer):
    body = serializers.CharField(allow_blank=True, help_text=_("@handle (the part of a member's "
                                                                "e-mail before the @) notifies them."))
    kind = serializers.ChoiceField(choices=Note.Kind.choices, required=False)


class TimelineQuery(serializers.Serializer):
    kind = serializers.ChoiceField(choices=sorted(KINDS), required=False, allow_blank=True)
    person = serializers.IntegerField(required=False, min_value=1,
                                      help_text=_("Only what this person (a user id) did."))
    before = serializers.IntegerField(required=False, min_value=1,
                                      help_text=_("Entries older than this seq: the next_before of a page."))
    limit = serializers.IntegerField(required=False, min_value=1, max_value=200, default=PAGE_SIZE)


class NotificationQuery(serializers.Serializer):
    unread = serializers.BooleanField(required=False, help_text=_("true: only the unread ones."))
