"""The case pages. Thin: parse the request, call a service or selector, render."""

from cases.views.case_pages import (
    access_grant_view,
    case_calendar_page,
    case_conflicts_page,
    case_detail_page,
    case_documents_page,
    case_edit_page,
    case_parties_page,
    case_team_page,
    conflict_clear_view,
    conflict_run,
    party_add_view,
    party_remove_view,
    team_add_view,
    team_remove_view,
)
from cases.views.lists import case_list_page, case_new_page
from cases.views.my_work import my_work_page
from cases.views.notes import case_notes_page, note_add_view
from cases.views.tasks import (
    case_tasks_page,
    task_edit_page,
    task_new_page,
    task_status_view,
    task_tree_fragment,
)
from cases.views.timeline import case_timeline_page, timeline_more

__all__ = [
    "access_grant_view",
    "case_conflicts_page",
    "case_detail_page",
    "case_calendar_page",
    "case_documents_page",
    "case_edit_page",
    "case_list_page",
    "case_new_page",
    "case_notes_page",
    "case_parties_page",
    "case_tasks_page",
    "case_team_page",
    "case_timeline_page",
    "conflict_clear_view",
    "conflict_run",
    "my_work_page",
    "note_add_view",
    "party_add_view",
    "party_remove_view",
    "task_edit_page",
    "task_new_page",
    "task_status_view",
    "task_tree_fragment",
    "team_add_view",
    "team_remove_view",
    "timeline_more",
]
