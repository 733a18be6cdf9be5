"""Documents tests: files go to a temporary MEDIA_ROOT."""

import pytest

from audit.context import acting_as, system_actor
from cases.models import Case
from documents import services
from tests.conftest import token_for
from tests.documents import files


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media_root) -> list[str]:
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


def auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {token_for(user)}"}


@pytest.fixture
def document_a(firm_a, case_a):
    """A document on case A, uploaded by the associate on its team: one PDF version."""
    with acting_as(system_actor("tests")), firm_a.scope():
        return services.document_upload(case=case_a, membership=firm_a.members["associate"],
                                        title="Statement of Claim",
                                        uploaded_file=files.upload("claim.pdf", files.text_pdf("Claim")))


@pytest.fixture
def plain_case(firm_a):
    """A case made directly, for transactional tests: they empty every table, the cases app's
    reference data with it, so the case services' checks are not theirs to depend on.
    Partners see it (they see the whole firm); it has no team."""
    with firm_a.scope():
        return Case.objects.create(firm=firm_a.firm, reference="T-1", title_en="Wong v Lee", title_zh="黃 訴 李")
