"""Showing a service's refusal on a page form: the one helper every page uses."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from config.errors import ApplicationError


def add_service_errors(form, error: ApplicationError, field_map: dict | None = None) -> None:
    """A service's refusal beside the fields it names (or at the top of the form).

    "Not found" and "not allowed" are not form errors: they become the 404 and 403 pages,
    so a missing object and another firm's look the same.
    """
    if error.status == 404:
        raise Http404
    if error.status == 403:
        raise PermissionDenied(str(error.message))
    field_map = field_map or {}
    for field, problems in error.fields.items():
        name = field_map.get(field, field)
        for problem in problems:
            if isinstance(problem, dict):  # one row of a list ({"parties": [{}, {"name_en": [...]}]})
                for messages in problem.values():
                    for message in messages:
                        form.add_error(None, message)
            else:
                form.add_error(name if name in form.fields else None, problem)
    if not error.fields:
        form.add_error(None, error.message)
