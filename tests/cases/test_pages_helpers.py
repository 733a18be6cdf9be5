"""Helpers shared by the case page tests: making data through the services, as a firm's system."""

import datetime
from contextlib import contextmanager

from audit.context import acting_as, system_actor


@contextmanager
def as_firm(world):
    with acting_as(system_actor("tests")), world.scope():
        yield


def make_case(world, reference, *, title="Beta v Gamma", parties=None, member="associate", **extra):
    from cases.services import case_create

    with as_firm(world):
        return case_create(
            membership=world.members[member], reference=reference, title_en=title,
            responsible_partner=world.members["partner"], opened_on=datetime.date(2024, 3, 1),
            parties=parties if parties is not None else [
                {"role": "plaintiff", "name_en": f"Client {reference}", "kind": "company", "is_client": True}],
            **extra)


def make_tasks(world, case, count, *, parent=None, **extra):
    from cases.services import task_create

    with as_firm(world):
        return [task_create(case=case, membership=world.members["associate"], title=f"Task {i}",
                            parent=parent, **extra) for i in range(count)]


def count(world, model, **filters):
    with world.scope():
        return model.objects.filter(**filters).count()
