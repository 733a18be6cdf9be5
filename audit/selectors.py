"""Reads of the audit log: verification of the chains, and entries about an object."""

from __future__ import annotations

from dataclasses import dataclass

from audit.chain import HASHED_COLUMNS, ChainBreak, find_first_break
from audit.models import AuditChainHead, AuditEntry
from firms.models import Firm
from firms.tenancy import tenant_scope


@dataclass(frozen=True)
class ChainReport:
    firm_id: int | None
    firm_slug: str
    count: int
    first_break: ChainBreak | None


def audit_chain_verify(*, firm: Firm | None) -> ChainReport:
    """Recompute one chain (a firm's, or the platform chain for None) from its first entry."""
    firm_id = firm.pk if firm else None
    with tenant_scope(firm_id, platform=firm is None):
        head = AuditChainHead.objects.filter(firm_id=firm_id).values_list("seq", "hash").first()
        rows = (
            AuditEntry.objects.filter(firm_id=firm_id)
            .order_by("seq")
            .values_list(*HASHED_COLUMNS, "hash")
            .iterator(chunk_size=20_000)
        )
        count, first_break = find_first_break(rows, firm_id, head)
    return ChainReport(firm_id, firm.slug if firm else "(platform)", count, first_break)


def firms_for_platform_job() -> list[Firm]:
    """Every firm, for jobs that visit each firm in turn (verification, scans)."""
    with tenant_scope(None, platform=True):
        return list(Firm.objects.order_by("pk"))


def audit_entries_for_object(*, firm_id: int, object_type: str, object_id: object, limit: int = 100):
    return list(
        AuditEntry.objects.filter(firm_id=firm_id, object_type=object_type, object_id=str(object_id))
        .order_by("-seq")[:limit]
    )
