"""API routes for cases, parties, tasks, notes, the timeline and conflict checks (under /api/)."""

from django.urls import path

from cases import api

urlpatterns = [
    path("cases/", api.CaseListView.as_view(), name="case-list"),
    path("cases/<int:case_id>/", api.CaseDetailView.as_view(), name="case-detail"),
]
