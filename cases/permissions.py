"""What a member may do with a case. Seeing is decided by cases.selectors.cases_visible_to."""

from django.utils.translation import gettext as _

from config.errors import Forbidden
from firms.models import Membership

CLEARS_CONFLICTS = {Membership.Role.PARTNER, Membership.Role.COMPLIANCE}
MANAGES_ANY_TEAM = {Membership.Role.PARTNER, Membership.Role.ADMIN}


def require_conflict_clearer(membership: Membership) -> None:
    if membership.role not in CLEARS_CONFLICTS:
        raise Forbidden(_("Only a partner or the compliance officer can clear a conflict check."))


def manages_case(membership: Membership, case) -> bool:
    """Partners and the firm admin manage every case; a supervisor manages theirs."""
    if membership.role in MANAGES_ANY_TEAM:
        return True
    return case.team.filter(membership=membership, is_supervisor=True).exists()


def require_team_manager(membership: Membership, case) -> None:
    if not manages_case(membership, case):
        raise Forbidden(_("Only a partner, the firm admin or the case's supervisor can change its team."))


def require_case_manager(membership: Membership, case) -> None:
    if not manages_case(membership, case):
        raise Forbidden(_("Only a partner, the firm admin or the case's supervisor can change the "
                          "case's status or responsible partner."))
