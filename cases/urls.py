from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list_page, name="list"),
    path("new/", views.case_new_page, name="new"),
    path("<int:case_id>/", views.case_detail_page, name="detail"),
    path("<int:case_id>/edit/", views.case_edit_page, name="edit"),
    path("<int:case_id>/tasks/", views.case_tasks_page, name="tasks"),
    path("<int:case_id>/tasks/tree/", views.task_tree_fragment, name="task-tree"),
    path("<int:case_id>/tasks/new/", views.task_new_page, name="task-new"),
    path("<int:case_id>/tasks/<int:task_id>/edit/", views.task_edit_page, name="task-edit"),
    path("<int:case_id>/tasks/<int:task_id>/status/", views.task_status_view, name="task-status"),
    path("<int:case_id>/documents/", views.case_documents_page, name="documents"),
    path("<int:case_id>/calendar/", views.case_calendar_page, name="calendar"),
    path("<int:case_id>/notes/", views.case_notes_page, name="notes"),
    path("<int:case_id>/notes/add/", views.note_add_view, name="note-add"),
    path("<int:case_id>/timeline/", views.case_timeline_page, name="timeline"),
    path("<int:case_id>/timeline/more/", views.timeline_more, name="timeline-more"),
    path("<int:case_id>/parties/", views.case_parties_page, name="parties"),
    path("<int:case_id>/parties/add/", views.party_add_view, name="party-add"),
    path("<int:case_id>/parties/<int:party_id>/remove/", views.party_remove_view, name="party-remove"),
    path("<int:case_id>/team/", views.case_team_page, name="team"),
    path("<int:case_id>/team/add/", views.team_add_view, name="team-add"),
    path("<int:case_id>/team/<int:membership_id>/remove/", views.team_remove_view, name="team-remove"),
    path("<int:case_id>/team/access/", views.access_grant_view, name="access-grant"),
    path("<int:case_id>/conflicts/", views.case_conflicts_page, name="conflicts"),
    path("<int:case_id>/conflicts/run/", views.conflict_run, name="conflict-run"),
    path("<int:case_id>/conflicts/<int:check_id>/clear/", views.conflict_clear_view, name="conflict-clear"),
]
