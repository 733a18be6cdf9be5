"""Task trees, single tasks and a person's own work (/api/cases/{id}/tasks/, /api/tasks/…, /api/my-work/)."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from cases import services
from cases.api.base import CaseScopedView, FirmMemberView, TaskScopedView, task_for_member
from cases.api.inputs import TaskCreateInput, TaskStatusInput, TaskUpdateInput, parsed
from cases.api.serializers import MyWorkSerializer, TaskSerializer, TaskTreeSerializer
from cases.selectors.tasks import my_tasks, task_tree, tasks_to_review


class CaseTasksView(CaseScopedView):
    @extend_schema(responses=TaskTreeSerializer,
                   description="The whole task tree; each task has the done/total of the leaves under "
                               "it, and `progress` is the case's.")
    def get(self, request, case_id):
        return Response(TaskTreeSerializer({"case": self.case, "tasks": task_tree(case=self.case)}).data)

    @extend_schema(request=TaskCreateInput, responses={201: TaskSerializer})
    def post(self, request, case_id):
        data = parsed(TaskCreateInput, request.data, membership=self.membership, case=self.case)
        task = services.task_create(case=self.case, membership=self.membership, **data)
        return Response(TaskSerializer(task_for_member(self.membership, task.pk)).data,
                        status=status.HTTP_201_CREATED)


class TaskView(TaskScopedView):
    @extend_schema(responses=TaskSerializer)
    def get(self, request, task_id):
        return Response(TaskSerializer(self.task).data)

    @extend_schema(request=TaskUpdateInput, responses=TaskSerializer,
                   description="Changes the fields given; `status` as in POST …/status/.")
    def patch(self, request, task_id):
        data = parsed(TaskUpdateInput, request.data, membership=self.membership, case=self.task.case)
        new_status = data.pop("status", None)
        with transaction.atomic():  # two services, one change: both or neither
            if data:
                services.task_update(task=self.task, membership=self.membership, **data)
            if new_status:
                services.task_set_status(task=self.task, membership=self.membership, status=new_status)
        return Response(TaskSerializer(task_for_member(self.membership, task_id)).data)


class TaskStatusView(TaskScopedView):
    @extend_schema(request=TaskStatusInput, responses=TaskSerializer,
                   description="Moves the task on; `done` needs every subtask done or cancelled first.")
    def post(self, request, task_id):
        data = parsed(TaskStatusInput, request.data)
        services.task_set_status(task=self.task, membership=self.membership, status=data["status"])
        return Response(TaskSerializer(task_for_member(self.membership, task_id)).data)


MAX_WORK_ITEMS = 200  # as the My work page


class MyWorkView(FirmMemberView):
    @extend_schema(responses=MyWorkSerializer,
                   description=f"My unfinished tasks and the tasks waiting for my review, at most "
                               f"{MAX_WORK_ITEMS} of each.")
    def get(self, request):
        people = ("assignee__user", "reviewer__user")
        return Response(MyWorkSerializer({
            "my_tasks": my_tasks(membership=self.membership).select_related(*people)[:MAX_WORK_ITEMS],
            "to_review": tasks_to_review(membership=self.membership).select_related(*people)[:MAX_WORK_ITEMS],
        }).data)
