"""My work: a lawyer's own overdue and due-soon tasks, reviews waiting, unread notifications.

Paged: a partner may have hundreds of open tasks, and rendering them all took most of the
request (docs/performance.md, item 4). The tasks come overdue first, then by due date, undated
last (cases.selectors.tasks.my_tasks), so the first page always starts with what is overdue;
the section headings count all of a section's tasks, not just this page's.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from cases.selectors.tasks import my_task_counts, my_tasks, tasks_to_review
from firms.selectors import unread_notifications

DUE_SOON_DAYS = 7
PAGE_SIZE = 50
REVIEW_PAGE_SIZE = 20


def _page(queryset, number, size: int, total: int):
    paginator = Paginator(queryset, size)
    paginator.count = total  # counted already: no second COUNT(*)
    return paginator.get_page(number)


def my_work_context(membership, *, page=None, review_page=None) -> dict:
    """page / review_page: the page of my tasks and of the tasks waiting for my review (from the URL)."""
    today = timezone.localdate()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    notifications, unread_count = unread_notifications(membership, limit=10)
    counts = {"total": 0, "overdue_count": 0, "due_soon_count": 0}
    tasks, reviews = [], []
    review_total = 0
    if membership:
        tasks = my_tasks(membership=membership)
        counts = my_task_counts(tasks, today=today, soon=soon)
        reviews = tasks_to_review(membership=membership)
        review_total = reviews.count()
    task_page = _page(tasks, page, PAGE_SIZE, counts["total"])
    shown = list(task_page.object_list) if counts["total"] else []
    review_page = _page(reviews, review_page, REVIEW_PAGE_SIZE, review_total)
    return {
        "today": today,
        "overdue": [t for t in shown if t.due_date and t.due_date < today],
        "due_soon": [t for t in shown if t.due_date and today <= t.due_date <= soon],
        "later": [t for t in shown if not t.due_date or t.due_date > soon],
        "task_count": counts["total"],
        "overdue_count": counts["overdue_count"],
        "due_soon_count": counts["due_soon_count"],
        "later_count": counts["total"] - counts["overdue_count"] - counts["due_soon_count"],
        "task_page": task_page,
        "to_review": list(review_page.object_list) if review_total else [],
        "review_count": review_total,
        "review_page": review_page,
        "notifications": notifications,
        "unread_count": unread_count,
        "due_soon_days": DUE_SOON_DAYS,
    }


@login_required
def my_work_page(request):
    return render(request, "cases/my_work.html", my_work_context(
        request.membership, page=request.GET.get("page"), review_page=request.GET.get("reviews")))
