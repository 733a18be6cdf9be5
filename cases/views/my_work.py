"""My work: a lawyer's own overdue and due-soon tasks, reviews waiting, unread notifications."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from cases.selectors.tasks import my_tasks, tasks_to_review
from firms.selectors import unread_notifications

DUE_SOON_DAYS = 7
MAX_TASKS = 200


def my_work_context(membership) -> dict:
    today = timezone.localdate()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    tasks = list(my_tasks(membership=membership)[:MAX_TASKS]) if membership else []
    notifications, unread_count = unread_notifications(membership, limit=10)
    return {
        "today": today,
        "overdue": [t for t in tasks if t.due_date and t.due_date < today],
        "due_soon": [t for t in tasks if t.due_date and today <= t.due_date <= soon],
        "later": [t for t in tasks if not t.due_date or t.due_date > soon],
        "task_count": len(tasks),
        "to_review": list(tasks_to_review(membership=membership)[:100]) if membership else [],
        "notifications": notifications,
        "unread_count": unread_count,
        "due_soon_days": DUE_SOON_DAYS,
    }


@login_required
def my_work_page(request):
    return render(request, "cases/my_work.html", my_work_context(request.membership))
