"""What the cases API answers with. Read-only shapes; what it accepts is in ``inputs.py``.

Every related row a serializer touches must be loaded by the view beforehand
(select_related / prefetch_related), so lists cost the same queries at 5 rows and 500.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import Case, CaseTeamMember, ConflictCheck, Note, Party, Task
from firms.models import Membership, Notification
from firms.selectors import target_url


class MemberSerializer(serializers.ModelSerializer):
    """A firm member as others see them: ids in payloads are this ``id`` (the membership)."""

    name = serializers.CharField(source="user.display_name")

    class Meta:
        model = Membership
        fields = ["id", "name", "role"]


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField(source="tasks_done")
    total = serializers.IntegerField(source="tasks_total")
    percent = serializers.IntegerField(source="progress_percent", allow_null=True)


class PartySerializer(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = ["id", "role", "kind", "name_en", "name_zh", "display_name", "is_client", "created_at"]


class TeamMemberSerializer(serializers.ModelSerializer):
    member = MemberSerializer(source="membership")

    class Meta:
        model = CaseTeamMember
        fields = ["member", "is_supervisor"]


class SearchedNameSerializer(serializers.Serializer):
    name_en = serializers.CharField()
    name_zh = serializers.CharField()
    role = serializers.CharField()


class ConflictHitSerializer(serializers.Serializer):
    """A snapshot taken when the check ran: later changes to the other case do not alter it."""

    party_id = serializers.IntegerField()
    name_en = serializers.CharField()
    name_zh = serializers.CharField()
    role = serializers.CharField()
    is_client = serializers.BooleanField()
    case_id = serializers.IntegerField()
    case_reference = serializers.CharField()
    case_number = serializers.CharField()
    case_title = serializers.CharField()
    case_status = serializers.CharField()
    similarity = serializers.FloatField()
    searched_name = serializers.CharField()


class ConflictCheckSerializer(serializers.ModelSerializer):
    searched = SearchedNameSerializer(many=True)
    hits = ConflictHitSerializer(many=True)
    run_by = MemberSerializer(allow_null=True)
    cleared_by = MemberSerializer(allow_null=True)

    class Meta:
        model = ConflictCheck
        fields = ["id", "status", "is_clear", "searched", "hits", "run_by", "run_at", "cleared_by",
                  "cleared_at", "clearance_reason"]


class CaseSerializer(serializers.ModelSerializer):
    """A case in a list. The view prefetches client parties into ``client_parties``."""

    responsible_partner = MemberSerializer(allow_null=True)
    progress = ProgressSerializer(source="*")
    client_names = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["id", "reference", "title_en", "title_zh", "display_title", "case_number",
                  "case_number_unlisted_prefix", "court", "practice_area", "stage", "status", "opened_on",
                  "closed_on", "responsible_partner", "tags", "client_names", "progress",
                  "last_activity_at", "created_at"]

    def get_client_names(self, case) -> list[str]:
        clients = getattr(case, "client_parties", None)
        if clients is None:
            clients = [party for party in case.parties.all() if party.is_client]
        return [party.display_name for party in clients]


class CaseDetailSerializer(CaseSerializer):
    """One case with its parties, team and latest conflict check (all loaded by the view)."""

    parties = PartySerializer(many=True)
    team = TeamMemberSerializer(many=True)
    latest_conflict_check = ConflictCheckSerializer(allow_null=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "parties", "team", "latest_conflict_check"]


class PartyAddedSerializer(serializers.Serializer):
    """A new party is checked for conflicts at once: here is the party and that check."""

    party = PartySerializer()
    conflict_check = ConflictCheckSerializer()


class CaseBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "reference", "display_title", "case_number", "status"]


class TaskSerializer(serializers.ModelSerializer):
    """``case`` and ``parent`` are ids, as in what the API accepts."""

    assignee = MemberSerializer(allow_null=True)
    reviewer = MemberSerializer(allow_null=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["id", "case", "parent", "title", "description", "status", "priority", "assignee",
                  "reviewer", "due_date", "estimate_minutes", "position", "is_overdue", "created_at",
                  "completed_at"]

    def get_is_overdue(self, task) -> bool:
        return bool(task.due_date and not task.is_finished and task.due_date < timezone.localdate())


class WorkItemSerializer(TaskSerializer):
    """A task in someone's own work list, with the case it belongs to."""

    case_summary = CaseBriefSerializer(source="case")

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "case_summary"]


class TaskNodeSerializer(TaskSerializer):
    """A task in its case's tree, with the leaves under it done over total (cancelled not counted)."""

    leaves_done = serializers.IntegerField()
    leaves_total = serializers.IntegerField()
    progress_percent = serializers.IntegerField(allow_null=True)

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "leaves_done", "leaves_total", "progress_percent", "children"]

    def to_representation(self, node):
        return {
            **self._task_fields.to_representation(node.task),
            "leaves_done": node.leaves_done,
            "leaves_total": node.leaves_total,
            "progress_percent": node.progress_percent,
            "children": [self.to_representation(child) for child in node.children],
        }

    @cached_property
    def _task_fields(self) -> TaskSerializer:
        return TaskSerializer(context=self.context)


# Declared after the class so the schema shows the tree as the recursive shape it is.
TaskNodeSerializer._declared_fields["children"] = TaskNodeSerializer(many=True)


class TaskTreeSerializer(serializers.Serializer):
    progress = ProgressSerializer(source="case")
    tasks = TaskNodeSerializer(many=True)


class MyWorkSerializer(serializers.Serializer):
    my_tasks = WorkItemSerializer(many=True, help_text="My unfinished tasks: overdue first, then by due date.")
    to_review = WorkItemSerializer(many=True, help_text="Others' tasks in review that I am to review.")


class NoteSerializer(serializers.ModelSerializer):
    author = MemberSerializer()
    mentions = serializers.SerializerMethodField()

    class Meta:
        model = Note
        fields = ["id", "kind", "body", "author", "mentions", "created_at"]

    @extend_schema_field(MemberSerializer(many=True))
    def get_mentions(self, note) -> list[dict]:
        return MemberSerializer([m.membership for m in note.mentions.all()], many=True).data


class TimelineNoteSerializer(serializers.ModelSerializer):
    author = MemberSerializer()

    class Meta:
        model = Note
        fields = ["id", "kind", "body", "author", "created_at"]


class TimelineItemSerializer(serializers.Serializer):
    seq = serializers.IntegerField(help_text="The entry's number in the firm's audit chain; page with ?before=.")
    kind = serializers.CharField()
    action = serializers.CharField()
    label = serializers.CharField()
    when = serializers.DateTimeField()
    actor_name = serializers.CharField()
    actor_user_id = serializers.IntegerField(allow_null=True)
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    changes = serializers.JSONField()
    note = TimelineNoteSerializer(allow_null=True)


class TimelinePageSerializer(serializers.Serializer):
    results = TimelineItemSerializer(many=True)
    next_before = serializers.IntegerField(
        allow_null=True, help_text="Pass as ?before= for the next (older) page; null on the last page.")


class NotificationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The page it is about, on this site.")

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "url", "case_id", "created_at", "read_at"]

    def get_url(self, notification) -> str:
        return target_url(notification)
