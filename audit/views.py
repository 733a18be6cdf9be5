from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from audit.labels import action_label
from audit.models import AuditEntry
from audit.selectors import audit_chain_verify
from firms.selectors import people_names


@login_required
def audit_log_page(request):
    """The firm's audit log and the state of its chain: partners, admins and compliance."""
    membership = request.membership
    if membership is None or not membership.sees_whole_firm:
        raise PermissionDenied
    report = audit_chain_verify(firm=membership.firm) if request.GET.get("verify") else None
    entries = list(AuditEntry.objects.filter(firm_id=membership.firm_id).order_by("-seq")[:100])
    names = people_names({entry.actor_user_id for entry in entries if entry.actor_user_id})
    for entry in entries:
        entry.actor_name = names.get(entry.actor_user_id, "")
        entry.action_label = action_label(entry.action)
    return render(request, "audit/log.html", {"entries": entries, "report": report})
