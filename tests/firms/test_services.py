import pytest

from audit.context import acting_as, system_actor
from config.errors import ValidationFailed
from firms import services


def test_a_firm_short_name_is_unique_even_though_other_firms_are_invisible(firm_a):
    with acting_as(system_actor("test")), pytest.raises(ValidationFailed, match="is taken"):
        services.firm_create(name="Another Alpha", slug="alpha")


def test_a_person_with_a_taken_email_is_refused_and_nothing_saved(firm_a):
    from firms.models import User

    before = User.objects.count()
    with firm_a.scope(), pytest.raises(ValidationFailed, match="already exists"):
        services.person_create(email="PARTNER@alpha.test", password="x")
    assert User.objects.count() == before


def test_an_unknown_role_is_refused(firm_a):
    user = firm_a.user("partner")
    with firm_a.scope(), pytest.raises(ValidationFailed, match="Choose a role"):
        services.member_add(firm=firm_a.firm, user=user, role="overlord")
