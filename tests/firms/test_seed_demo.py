from io import StringIO

from django.core.management import call_command

from audit.selectors import audit_chain_verify, firms_for_platform_job
from cases.models import Case
from firms.models import Membership, User
from firms.tenancy import tenant_scope

ROLES = ("partner", "associate", "trainee", "paralegal", "secretary", "compliance", "admin")


def _counts():
    firms = firms_for_platform_job()
    counts = {"people": User.objects.count(), "firms": len(firms)}
    for firm in firms:
        with tenant_scope(firm.pk):
            counts[firm.slug] = (Membership.objects.count(), Case.objects.count())
    return counts


def test_seed_demo_makes_both_firms_with_every_role_and_runs_again_unchanged(db):
    call_command("seed_demo", stdout=StringIO())
    first = _counts()
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first
    assert first["firms"] == 2
    for slug in ("chan-lau", "harbour"):
        assert first[slug][0] == len(ROLES) and first[slug][1] >= 2
        for role in ROLES:
            user = User.objects.get(email=f"{role}@{slug}.example")
            assert user.check_password("caseroom-demo")
    assert User.objects.get(email="client@example.com").external_kind == "client"
    assert not User.objects.get(email="client@example.com").memberships.exists()
    for firm in firms_for_platform_job():
        report = audit_chain_verify(firm=firm)
        assert report.first_break is None and report.count > 0
