"""The task tree: the tab, its HTMX fragment, inline status changes, adding and editing tasks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.forms import TASK_FIELD_MAP, TaskEditForm, TaskForm
from cases.models import Case, Task
from cases.selectors.tasks import flatten, task_tree
from cases.services import task_create, task_set_status, task_update
from cases.views.common import add_errors, case_or_404, raise_for_access, render_case
from config.errors import ApplicationError


def _statuses() -> list[tuple[str, str]]:
    """The status menu of every row, its labels translated once per request (not once per row)."""
    return [(value, str(label)) for value, label in Task.Status.choices]


def _tree(case: Case) -> dict:
    roots = task_tree(case=case)
    return {"roots": roots, "rows": list(flatten(roots))}


def _team_ids(case: Case) -> list[int]:
    return list(case.team.values_list("membership_id", flat=True))


def _tasks_url(case: Case, task: Task | None = None) -> str:
    url = reverse("cases:tasks", args=[case.pk])
    return f"{url}#task-{task.pk}" if task else url


def _fragment_context(case: Case, **extra) -> dict:
    case.refresh_from_db(fields=["tasks_total", "tasks_done"])
    return {"case": case, **_tree(case), "statuses": _statuses(), **extra}


@login_required
@require_GET
def case_tasks_page(request, case_id: int):
    case = case_or_404(request, case_id)
    tree = _tree(case)
    form = TaskForm(case=case, team_ids=_team_ids(case), tree_rows=tree["rows"], prefix="new")
    return render_case(request, case, "tasks", "cases/tabs/tasks.html", {
        **tree, "form": form, "statuses": _statuses(),
    })


@login_required
@require_GET
def task_tree_fragment(request, case_id: int):
    """Just the tree (for HTMX refreshes)."""
    case = case_or_404(request, case_id)
    return render(request, "cases/_task_tree.html", _fragment_context(case))


@login_required
@require_POST
def task_status_view(request, case_id: int, task_id: int):
    """Inline status change: HTMX gets the tree back (progress rolls up to every ancestor and the
    case); errors such as open subtasks are shown on the task's row. Without HTMX, a redirect."""
    case = case_or_404(request, case_id)
    task = get_object_or_404(Task, case=case, pk=task_id)
    previous = task.status
    error = None
    try:
        task = task_set_status(task=task, membership=request.membership, status=request.POST.get("status", ""))
    except ApplicationError as refused:
        raise_for_access(refused)
        error = refused.fields.get("status", [refused.message])[0]
    changed = {"task_id": task.pk, "previous": previous, "error": error,
               "saved": error is None and previous != task.status}
    status = 400 if error else 200
    if request.htmx:
        return render(request, "cases/_task_tree.html", _fragment_context(case, changed=changed), status=status)
    if error:
        tree = _tree(case)
        form = TaskForm(case=case, team_ids=_team_ids(case), tree_rows=tree["rows"], prefix="new")
        return render_case(request, case, "tasks", "cases/tabs/tasks.html", {
            **tree, "form": form, "statuses": _statuses(), "changed": changed,
            "problems": [(f"task-{task.pk}-status", f"{task.title}: {error}")],
        }, status=status)
    if changed["saved"]:
        messages.success(request, _("“%(title)s” is now %(status)s.") % {
            "title": task.title, "status": task.get_status_display()})
    return HttpResponseRedirect(_tasks_url(case, task))


@login_required
@require_http_methods(["GET", "POST"])
def task_new_page(request, case_id: int):
    case = case_or_404(request, case_id)
    tree = _tree(case)
    initial = {}
    parent_id = request.GET.get("parent", "")
    if parent_id.isdigit() and any(node.task.pk == int(parent_id) for node, _depth in tree["rows"]):
        initial["parent"] = int(parent_id)
    data = request.POST if request.method == "POST" else None
    form = TaskForm(data, case=case, team_ids=_team_ids(case), tree_rows=tree["rows"], prefix="new",
                    initial=initial)
    if data is not None and form.is_valid():
        try:
            task = task_create(case=case, membership=request.membership, **form.service_arguments())
        except ApplicationError as error:
            add_errors(form, error, TASK_FIELD_MAP)
        else:
            messages.success(request, _("“%(title)s” is added.") % {"title": task.title})
            return HttpResponseRedirect(_tasks_url(case, task))
    parent = next((node.task for node, _depth in tree["rows"] if node.task.pk == initial.get("parent")), None)
    return render_case(request, case, "tasks", "cases/task_form.html", {
        "form": form, "parent": parent, "editing": None,
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def task_edit_page(request, case_id: int, task_id: int):
    case = case_or_404(request, case_id)
    task = get_object_or_404(Task.objects.select_related("assignee__user", "reviewer__user"), case=case,
                             pk=task_id)
    tree = _tree(case)
    data = request.POST if request.method == "POST" else None
    form = TaskEditForm(data, case=case, team_ids=_team_ids(case), tree_rows=tree["rows"], task=task,
                        prefix="edit")
    if data is not None and form.is_valid():
        try:
            task = task_update(task=task, membership=request.membership, **form.service_arguments())
        except ApplicationError as error:
            add_errors(form, error, TASK_FIELD_MAP)
        else:
            messages.success(request, _("“%(title)s” is saved.") % {"title": task.title})
            return HttpResponseRedirect(_tasks_url(case, task))
    return render_case(request, case, "tasks", "cases/task_form.html", {
        "form": form, "parent": None, "editing": task,
    }, status=400 if form.errors else 200)
