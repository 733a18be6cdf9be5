"""The base views every cases API view stands on: who is asking, and which case.

Firm scoping happens here, once, in ``initial()`` (after authentication, before the
handler): a view under ``/api/cases/{case_id}/`` has ``self.case`` from the one access
helper, a view under ``/api/tasks/{task_id}/`` has ``self.task`` through the same rule,
so no handler can forget to check. Children are then looked up inside that case.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet

from cases.selectors import case_for_member
from cases.selectors.tasks import task_for_member
from config.api import CursorPagination, FirmMemberView
from config.errors import NotFound


class CaseScopedView(FirmMemberView):
    """Everything under ``/api/cases/{case_id}/``: the case first, NotFound alike for missing and not yours."""

    case = None
    scopes_requests = True

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.case = case_for_member(self.membership, kwargs["case_id"])


class TaskScopedView(FirmMemberView):
    """Everything under ``/api/tasks/{task_id}/``: a task of a case the asker may see, else NotFound."""

    task = None
    scopes_requests = True

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.task = task_for_member(self.membership, kwargs["task_id"])


def one_of(queryset: QuerySet, **lookup) -> Model:
    """One row of an already scoped queryset (this case's parties …), or the same NotFound."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise NotFound() from None


def is_schema_generation(view) -> bool:
    """drf-spectacular builds the schema with views that never ran ``initial()``."""
    return getattr(view, "swagger_fake_view", False)


class OldestFirstPagination(CursorPagination):
    ordering = "pk"


class SelectorOrderPagination(CursorPagination):
    """Cursor pages in the order the selector chose (the case list's ``sort``), not a fixed one.

    The first ordering field is the cursor's position; ties on it are paged by offset,
    so sorting by a non-unique field (status, opened date) still pages without gaps.
    """

    def get_ordering(self, request, queryset, view):
        return tuple(queryset.query.order_by) or super().get_ordering(request, queryset, view)
