from cases.models.case import Case, CaseTeamMember, CaseUserObjectPermission, CourtPrefix, Party
from cases.models.conflict import ConflictCheck
from cases.models.notes import Note, NoteMention
from cases.models.tasks import Task, TaskTemplate

__all__ = [
    "Case",
    "CaseTeamMember",
    "CaseUserObjectPermission",
    "ConflictCheck",
    "CourtPrefix",
    "Note",
    "NoteMention",
    "Party",
    "Task",
    "TaskTemplate",
]
