"""What a member may do with a case. Seeing is decided by cases.selectors.cases_visible_to."""

from django.utils.translation import gettext as _

from config.errors import Forbidden
from firms.models import Membership

CLEARS_CONFLICTS = {Membership.Role.PARTNER, Membership.Role.COMPLIANCE}
MANAGES_ANY_TEAM = {Membership.Role.PARTNER, Membership.Role.ADMIN}


def require_conflict_clearer(membership: Membership) -> None:
    if membership.role not in CLEARS_CONFLICTS:
        raise Forbidden(_("Only a partner or the compliance officer can clear a conflict check."))


def require_team_manager(membership: Membership, case) -> None:
    if membership.role in MANAGES_ANY_TEAM:
        return
    if case.team.filter(membership=membership, is_supervisor=True).exists():
        return
    raise Forbidden(_("Only a partner, the firm admin or the case's supervisor can change its team."))
