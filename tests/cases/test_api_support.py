"""Helpers the cases API tests share (this module has no tests of its own)."""

from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from audit.context import acting_as, system_actor
from audit.models import AuditEntry
from cases.models import Case, CaseTeamMember, ConflictCheck, Note, Party, Task
from firms.models import Notification
from tests.conftest import token_for

NOT_FOUND = {"detail": "Not found.", "code": "not_found"}


def client_for(world, role: str) -> APIClient:
    """An API client signed in with a token as the firm's member of that role."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(world.user(role))}")
    return client


@contextmanager
def as_the_firm(world):
    """Set-up done directly through the services, as the firm, by the test system actor."""
    with acting_as(system_actor("tests")), world.scope():
        yield


def row_counts(world) -> dict:
    """Every table a refused request could half-write, for "nothing was saved" checks."""
    with world.scope():
        tables = {model.__name__: model.objects.count()
                  for model in (Case, Party, CaseTeamMember, ConflictCheck, Task, Note, Notification)}
        tables["AuditEntry"] = AuditEntry.objects.filter(firm=world.firm).count()
        return tables


def queries_for(client: APIClient, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured)
