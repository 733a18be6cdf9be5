"""Every change to cases, parties, conflict checks, tasks and notes. Each is atomic and
writes its audit entry (with the case id, for the timeline) in the same transaction."""

from cases.services.cases import (
    case_access_grant,
    case_create,
    case_open,
    case_team_add,
    case_team_remove,
    case_update,
)
from cases.services.conflicts import conflict_check_run, conflict_clear
from cases.services.notes import note_add
from cases.services.parties import party_add, party_remove
from cases.services.tasks import task_create, task_set_status, task_update, tasks_from_template

__all__ = [
    "case_access_grant",
    "case_create",
    "case_open",
    "case_team_add",
    "case_team_remove",
    "case_update",
    "conflict_check_run",
    "conflict_clear",
    "note_add",
    "party_add",
    "party_remove",
    "task_create",
    "task_set_status",
    "task_update",
    "tasks_from_template",
]
