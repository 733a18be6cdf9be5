"""Which firm the current transaction works for.

``set_tenant`` writes the firm (and the signed-in person) into the transaction's
settings, which the row-level-security policies read (firms.rls). It must run
inside ``transaction.atomic()``: outside one, ``set_config(..., true)`` lasts a
single statement. A contextvar mirrors the same values for Python code (the audit
writer, selectors) so they never have to be passed through every call.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connections, transaction


@dataclass(frozen=True)
class Tenant:
    firm_id: int | None = None
    user_id: int | None = None
    platform: bool = False  # may see firm-less rows (the platform audit chain)


_current: contextvars.ContextVar[Tenant] = contextvars.ContextVar("caseroom_tenant", default=Tenant())  # noqa: B039 - frozen


class TenancyError(RuntimeError):
    """A programming error: tenancy set outside a transaction."""


def current_tenant() -> Tenant:
    return _current.get()


def current_firm_id() -> int | None:
    return _current.get().firm_id


def set_tenant(tenant: Tenant, using: str = "default") -> None:
    connection = connections[using]
    if not connection.in_atomic_block:
        raise TenancyError("set_tenant() must run inside transaction.atomic().")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('app.firm_id', %s, true), set_config('app.user_id', %s, true),"
            " set_config('app.platform', %s, true)",
            [
                "" if tenant.firm_id is None else str(tenant.firm_id),
                "" if tenant.user_id is None else str(tenant.user_id),
                "on" if tenant.platform else "",
            ],
        )
    _current.set(tenant)


@contextmanager
def tenant_scope(firm_id: int | None, *, user_id: int | None = None, platform: bool = False,
                 using: str = "default") -> Iterator[Tenant]:
    """Run a block in one transaction as a firm (for tasks, commands and tests)."""
    previous = _current.get()
    nested = connections[using].in_atomic_block
    tenant = Tenant(firm_id=firm_id, user_id=user_id, platform=platform)
    try:
        with transaction.atomic(using=using):
            set_tenant(tenant, using=using)
            yield tenant
            if nested:
                # A released savepoint keeps its settings: hand the outer
                # transaction back the tenant it had.
                set_tenant(previous, using=using)
    finally:
        _current.set(previous)


def clear_tenant() -> None:
    _current.set(Tenant())
