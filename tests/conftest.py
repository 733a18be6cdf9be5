"""Test set-up: the suite runs as the app role, on a database the owner built.

A superuser or the tables' owner would see through row-level security and hide
every tenancy bug, so the ``default`` alias stays the app role; pytest-django
creates the test database through the ``owner`` alias only, and ``default`` is
pointed at it (docs/testing.md).
"""

import datetime
import os

import pytest
from django.conf import settings
from django.db import connections
from django.db.models.signals import post_migrate
from django.test.utils import setup_databases, teardown_databases

from audit.context import acting_as, system_actor
from firms import services
from firms.db_roles import app_role_name
from firms.tenancy import clear_tenant, tenant_scope

DEMO_PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A test database of this process's own, so that two test runs on one server never
    drop each other's database (two checkouts, or a developer and CI on one machine)."""
    for alias in ("default", "owner"):
        test = connections[alias].settings_dict.setdefault("TEST", {})
        base = test.get("NAME") or f"test_{connections[alias].settings_dict['NAME']}"
        test["NAME"] = f"{base}_{os.getpid()}"


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_keepdb,
                    django_db_createdb, django_db_modify_db_settings):
    with django_db_blocker.unblock():
        old_config = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            keepdb=django_db_keepdb and not django_db_createdb,
            aliases={"owner"},
            serialized_aliases=set(),
        )
        _point_default_alias_at(connections["owner"].settings_dict["NAME"])
        _allow_test_cleanup()
    yield
    with django_db_blocker.unblock():
        connections["default"].close()
        teardown_databases(old_config, verbosity=request.config.option.verbose)


def _point_default_alias_at(test_database: str) -> None:
    connections["default"].close()
    connections["default"].settings_dict["NAME"] = test_database
    settings.DATABASES["default"]["NAME"] = test_database


def _allow_test_cleanup(**kwargs) -> None:
    """Transactional tests empty every table with TRUNCATE: allow it in this database only.

    Also runs after every later migrate signal (a flush of the owner alias sends one),
    since the production grants take TRUNCATE back.
    """
    if kwargs and (kwargs.get("using") != "owner" or kwargs["sender"].name != "firms"):
        return
    role = connections["owner"].ops.quote_name(app_role_name())
    with connections["owner"].cursor() as cursor:
        cursor.execute(f"GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {role}")
        cursor.execute("CREATE TABLE IF NOT EXISTS caseroom_test_allow_audit_truncate ()")


post_migrate.connect(_allow_test_cleanup, dispatch_uid="caseroom-test-truncate")


@pytest.fixture(scope="session", autouse=True)
def _celery_queue_per_test_process():
    """Each xdist process gets its own Celery queue so real-worker tests don't steal tasks."""
    from config.celery import app

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    app.conf.task_default_queue = f"caseroom-test-{worker}-{os.getpid()}"


@pytest.fixture(autouse=True)
def _fresh_tenancy():
    clear_tenant()
    yield
    clear_tenant()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def pytest_runtest_makereport(item, call):
    """With CASEROOM_FORBID_SKIPS set (CI), a skipped test is a failure: nothing may hide."""
    if os.environ.get("CASEROOM_FORBID_SKIPS") and call.excinfo is not None \
            and call.excinfo.errisinstance(pytest.skip.Exception):
        call.excinfo = None
        pytest.fail(f"{item.nodeid} was skipped, and CI forbids skips")


# --- Two firms, people in each ------------------------------------------------------------


class FirmWorld:
    """A firm with a member of each role, made through the services (so audited)."""

    def __init__(self, slug: str, name: str):
        with acting_as(system_actor("tests")):
            self.firm = services.firm_create(name=name, slug=slug)
            with tenant_scope(self.firm.pk):
                self.office = services.office_create(firm=self.firm, name="Central")
                self.team = services.team_create(firm=self.firm, name="Litigation", office=self.office)
                self.members = {}
                for role in ("partner", "associate", "trainee", "admin", "compliance", "secretary"):
                    user = services.person_create(email=f"{role}@{slug}.test", password=DEMO_PASSWORD,
                                                  name_en=f"{role.title()} of {name}")
                    self.members[role] = services.member_add(firm=self.firm, user=user, role=role,
                                                             office=self.office)
                services.team_member_add(team=self.team, membership=self.members["associate"])

    def user(self, role: str):
        return self.members[role].user

    def scope(self):
        return tenant_scope(self.firm.pk)


@pytest.fixture
def firm_a(db):
    return FirmWorld("alpha", "Alpha & Co")


@pytest.fixture
def firm_b(db):
    return FirmWorld("bravo", "Bravo LLP")


@pytest.fixture
def case_a(firm_a):
    from cases.services import case_create

    with acting_as(system_actor("tests")), firm_a.scope():
        return case_create(
            membership=firm_a.members["associate"], reference="A-1", title_en="Alpha v Omega",
            title_zh="阿爾法 訴 奧米加", case_number="HCA 1234/2024",
            responsible_partner=firm_a.members["partner"], opened_on=datetime.date(2024, 3, 1),
            parties=[
                {"role": "plaintiff", "name_en": "Alpha Trading Limited", "name_zh": "阿爾法貿易有限公司",
                 "kind": "company", "is_client": True},
                {"role": "defendant", "name_en": "Omega Shipping Co Ltd", "kind": "company"},
            ])


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


def token_for(user) -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key
