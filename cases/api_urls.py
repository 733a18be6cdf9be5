"""API routes for cases, parties, tasks, notes, the timeline and conflict checks (under /api/)."""

from django.urls import path

from cases.api import cases, notes, notifications, tasks

urlpatterns = [
    path("cases/", cases.CaseListView.as_view(), name="case-list"),
    path("cases/<int:case_id>/", cases.CaseDetailView.as_view(), name="case-detail"),
    path("cases/<int:case_id>/parties/", cases.CasePartiesView.as_view(), name="case-parties"),
    path("cases/<int:case_id>/parties/<int:party_id>/", cases.CasePartyView.as_view(), name="case-party"),
    path("cases/<int:case_id>/team/", cases.CaseTeamView.as_view(), name="case-team"),
    path("cases/<int:case_id>/team/<int:membership_id>/", cases.CaseTeamMemberView.as_view(),
         name="case-team-member"),
    path("cases/<int:case_id>/conflict-checks/", cases.ConflictChecksView.as_view(), name="case-conflict-checks"),
    path("cases/<int:case_id>/conflict-checks/<int:check_id>/clear/", cases.ConflictClearView.as_view(),
         name="conflict-check-clear"),
    path("cases/<int:case_id>/tasks/", tasks.CaseTasksView.as_view(), name="case-tasks"),
    path("cases/<int:case_id>/notes/", notes.CaseNotesView.as_view(), name="case-notes"),
    path("cases/<int:case_id>/timeline/", notes.CaseTimelineView.as_view(), name="case-timeline"),
    path("tasks/<int:task_id>/", tasks.TaskView.as_view(), name="task-detail"),
    path("tasks/<int:task_id>/status/", tasks.TaskStatusView.as_view(), name="task-status"),
    path("my-work/", tasks.MyWorkView.as_view(), name="my-work"),
    path("notifications/", notifications.NotificationListView.as_view(), name="notifications"),
    path("notifications/read-all/", notifications.NotificationsReadAllView.as_view(),
         name="notifications-read-all"),
    path("notifications/<int:notification_id>/read/", notifications.NotificationReadView.as_view(),
         name="notification-read"),
]
