"""The case list and detail are built by plain functions (cases/api/shapes.py) for speed, while
the documented schema is the serializers' (cases/api/serializers.py): both must give the same
JSON, byte for byte, for every kind of case — with hits, cleared, no partner, no tasks, odd
snapshots."""

import datetime

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from cases.api.serializers import CaseDetailSerializer, CaseSerializer
from cases.models import Case, CaseTeamMember, ConflictCheck, Party
from cases.selectors import case_for_member, case_list
from cases.selectors.conflicts import latest_conflict_check
from cases.services import case_create, case_update, conflict_clear
from tests.cases.test_api_support import as_the_firm, client_for


def _documented_detail(world, role, case_id) -> bytes:
    """What CaseDetailSerializer answers, loaded as the view used to load it."""
    with world.scope():
        case = case_for_member(world.members[role], case_id)
        prefetch_related_objects(
            [case],
            Prefetch("parties", queryset=Party.objects.order_by("pk")),
            Prefetch("team", queryset=CaseTeamMember.objects.select_related("membership__user")
                     .order_by("-is_supervisor", "pk")),
        )
        case.latest_conflict_check = latest_conflict_check(case)
        return JSONRenderer().render(CaseDetailSerializer(case).data)


def _documented_list(world, role) -> bytes:
    with world.scope():
        clients = Party.objects.filter(is_client=True).order_by("pk")
        cases = case_list(world.members[role]).prefetch_related(
            Prefetch("parties", queryset=clients, to_attr="client_parties"))
        return JSONRenderer().render(CaseSerializer(cases, many=True).data)


def _answered(world, role, path) -> dict:
    response = client_for(world, role).get(path)
    assert response.status_code == 200, response.content
    return response.json()


def _cases_of_every_kind(world, case_a) -> list[int]:
    partner, associate = world.members["partner"], world.members["associate"]
    with as_the_firm(world):
        # Pending on hits (no tasks: progress percent is null), then one cleared by a partner
        pending = case_create(membership=associate, reference="H-1", title_en="Hits pending",
                              parties=[{"role": "defendant", "name_en": "Alpha Trading Limited"}])
        cleared = case_create(membership=associate, reference="H-2", title_en="Hits cleared", title_zh="",
                              parties=[{"role": "defendant", "name_zh": "阿爾法貿易有限公司", "is_client": True}])
        conflict_clear(check=latest_conflict_check(cleared), membership=partner,
                       reason="Same group of companies; written consent on file")
        # No responsible partner, tags, a Chinese-only client, closed with a closing date
        bare = case_create(membership=associate, reference="B-1", title_en="Bare", title_zh="簡單",
                           tags=["bank", "urgent"], court="LT", practice_area="employment",
                           parties=[{"role": "plaintiff", "name_zh": "陳大文", "is_client": True},
                                    {"role": "plaintiff", "name_en": "Second Client Ltd", "kind": "company",
                                     "is_client": True}])
        case_update(case=bare, membership=partner, status="closed")
        # A check whose snapshot has what the serializers must cope with: a missing person,
        # nulls, an integer similarity, keys no serializer declares
        ConflictCheck.objects.create(
            firm_id=world.firm.pk, case=pending, status=ConflictCheck.Status.HITS, run_by=None,
            run_at=timezone.now() + datetime.timedelta(minutes=1),
            searched=[{"name_en": "Alpha", "name_zh": "", "role": "defendant", "extra": 1}],
            hits=[{"party_id": 1, "name_en": "Alpha", "name_zh": None, "role": "plaintiff", "is_client": 1,
                   "case_id": case_a.pk, "case_reference": "A-1", "case_number": None, "case_title": "T",
                   "case_status": "open", "similarity": 1, "searched_name": "Alpha", "unknown": "x"}])
    return [case_a.pk, pending.pk, cleared.pk, bare.pk]


def test_the_detail_answers_exactly_what_the_documented_serializer_would(firm_a, case_a):
    for case_id in _cases_of_every_kind(firm_a, case_a):
        for role in ("partner", "associate"):
            answered = client_for(firm_a, role).get(f"/api/cases/{case_id}/")
            assert answered.status_code == 200, answered.content
            assert answered.content == _documented_detail(firm_a, role, case_id), case_id


def test_the_cleared_check_and_the_odd_snapshot_come_through(firm_a, case_a):
    case_a_id, pending, cleared, bare = _cases_of_every_kind(firm_a, case_a)
    check = _answered(firm_a, "partner", f"/api/cases/{cleared}/")["latest_conflict_check"]
    assert (check["status"], check["is_clear"], check["cleared_by"]["role"]) == ("cleared", True, "partner")
    assert check["cleared_at"].endswith("+08:00")  # the current time zone, as DRF shows it
    odd = _answered(firm_a, "partner", f"/api/cases/{pending}/")["latest_conflict_check"]
    assert odd["run_by"] is None and odd["searched"] == [{"name_en": "Alpha", "name_zh": "", "role": "defendant"}]
    assert (odd["hits"][0]["name_zh"], odd["hits"][0]["similarity"], odd["hits"][0]["is_client"]) == (None, 1.0, True)
    closed = _answered(firm_a, "partner", f"/api/cases/{bare}/")
    assert closed["responsible_partner"] is None and closed["closed_on"] == timezone.localdate().isoformat()
    assert closed["client_names"] == ["陳大文", "Second Client Ltd"]


def test_the_list_answers_exactly_what_the_documented_serializer_would(firm_a, case_a):
    _cases_of_every_kind(firm_a, case_a)
    for role in ("partner", "associate", "trainee"):
        rows = _answered(firm_a, role, "/api/cases/?page_size=200")["results"]
        assert JSONRenderer().render(rows) == _documented_list(firm_a, role), role
        if role == "partner":
            with firm_a.scope():
                assert len(rows) == Case.objects.count() == 4


def test_a_new_and_an_edited_case_answer_the_documented_detail(firm_a, case_a):
    partner = client_for(firm_a, "partner")
    created = partner.post("/api/cases/", {"reference": "N-9", "title_en": "New", "parties": [
        {"role": "plaintiff", "name_en": "Alpha Trading Limited", "is_client": True}]}, format="json")
    assert created.status_code == 201, created.content
    assert created.content == _documented_detail(firm_a, "partner", created.json()["id"])
    edited = partner.patch(f"/api/cases/{case_a.pk}/", {"tags": ["x"], "stage": "trial"}, format="json")
    assert edited.status_code == 200, edited.content
    assert edited.content == _documented_detail(firm_a, "partner", case_a.pk)
