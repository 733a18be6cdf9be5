from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from audit.models import AuditEntry
from audit.selectors import audit_chain_verify


@login_required
def audit_log_page(request):
    """The firm's audit log and the state of its chain: partners, admins and compliance."""
    membership = request.membership
    if membership is None or not membership.sees_whole_firm:
        raise PermissionDenied
    report = audit_chain_verify(firm=membership.firm) if request.GET.get("verify") else None
    entries = AuditEntry.objects.filter(firm_id=membership.firm_id).order_by("-seq")[:100]
    return render(request, "audit/log.html", {"entries": entries, "report": report})
