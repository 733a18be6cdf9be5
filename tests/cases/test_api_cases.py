"""The cases API: listing, creating with the conflict check, the detail, editing, parties, the team
and clearing conflicts. Every refused request saves nothing."""

import datetime
import hashlib

import pytest

from cases.models import Case, Task
from cases.services import case_create, party_add
from tests.cases.test_api_support import as_the_firm, client_for, queries_for, row_counts

NEW_CASE = {
    "reference": "N-1",
    "title_en": "Newco v Oldco",
    "case_number": "hca 001/2025",
    "parties": [
        {"role": "plaintiff", "name_en": "Newco Limited", "kind": "company", "is_client": True},
        {"role": "defendant", "name_zh": "舊公司"},
    ],
}


def _unlike_any_other(*parts) -> str:
    """A party name no other test name resembles, so the conflict check finds nothing."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16].upper()


def _make_cases(world, count, prefix="L", **extra):
    """Open cases L-0, L-1 … with a client and another party each, made through the services."""
    with as_the_firm(world):
        for n in range(count):
            case_create(membership=world.members["associate"], reference=f"{prefix}-{n}", title_en=f"Matter {n}",
                        parties=[{"role": "plaintiff", "name_en": _unlike_any_other(prefix, n), "is_client": True},
                                 {"role": "defendant", "name_en": _unlike_any_other(prefix, n, "other")}],
                        responsible_partner=world.members["partner"], **extra)


# --- Listing ---------------------------------------------------------------------------------


def test_the_list_filters_as_the_cases_page_does(firm_a, case_a):
    _make_cases(firm_a, 2, practice_area="employment", court="LT")
    partner = client_for(firm_a, "partner")

    def references(query):
        response = partner.get(f"/api/cases/?{query}")
        assert response.status_code == 200, response.content
        return sorted(c["reference"] for c in response.json()["results"])

    assert references("q=omega") == ["A-1"]                      # a party's name
    assert references("q=阿爾法") == ["A-1"]                       # a Chinese title
    assert references("q=hca001234/2024") == ["A-1"]              # a case number as typed
    assert references("practice_area=employment") == ["L-0", "L-1"]
    assert references("court=CFI") == ["A-1"]
    assert references("status=open&stage=intake") == ["A-1", "L-0", "L-1"]
    assert references("status=closed") == []
    assert references(f"lawyer={firm_a.members['associate'].pk}") == ["A-1", "L-0", "L-1"]
    assert references(f"lawyer={firm_a.members['trainee'].pk}") == []


def test_the_list_is_sorted_and_paged_in_that_order(firm_a, case_a):
    _make_cases(firm_a, 3)
    partner = client_for(firm_a, "partner")
    first = partner.get("/api/cases/?sort=-reference&page_size=2").json()
    second = partner.get(first["next"]).json()
    assert [c["reference"] for c in first["results"] + second["results"]] == ["L-2", "L-1", "L-0", "A-1"]
    assert second["next"] is None
    titles = [c["title_en"] for c in partner.get("/api/cases/?sort=title").json()["results"]]
    assert titles == sorted(titles)


@pytest.mark.parametrize("query", ["status=shut", "sort=colour", "lawyer=someone", "court=HIGH"])
def test_an_unknown_filter_value_is_a_400_not_a_silently_wider_list(firm_a, case_a, query):
    response = client_for(firm_a, "partner").get(f"/api/cases/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert query.split("=")[0] in response.json()["fields"]


def test_the_list_costs_the_same_queries_for_5_cases_as_for_30(firm_a):
    partner = client_for(firm_a, "partner")
    _make_cases(firm_a, 5, prefix="F")
    five = queries_for(partner, "/api/cases/")
    _make_cases(firm_a, 25, prefix="T")
    thirty = queries_for(partner, "/api/cases/")
    assert len(partner.get("/api/cases/").json()["results"]) == 30
    assert five == thirty


def test_the_list_shows_client_names_and_progress(firm_a, case_a):
    row, = client_for(firm_a, "associate").get("/api/cases/").json()["results"]
    assert row["client_names"] == ["阿爾法貿易有限公司 Alpha Trading Limited"]
    assert row["progress"]["total"] > 10 and row["progress"]["done"] == 0
    assert row["responsible_partner"]["id"] == firm_a.members["partner"].pk


# --- Creating --------------------------------------------------------------------------------


def test_a_case_with_no_conflicts_is_created_open_with_its_parties_and_team(firm_a):
    associate = client_for(firm_a, "associate")
    body = {**NEW_CASE, "responsible_partner": firm_a.members["partner"].pk,
            "team": [firm_a.members["trainee"].pk], "tags": ["urgent", "urgent", "bank"],
            "opened_on": "2025-01-02"}
    response = associate.post("/api/cases/", body, format="json")
    assert response.status_code == 201, response.content
    case = response.json()
    assert (case["status"], case["case_number"], case["court"]) == ("open", "HCA 1/2025", "CFI")
    assert case["latest_conflict_check"]["status"] == "no_hits"
    assert case["opened_on"] == "2025-01-02" and case["tags"] == ["urgent", "bank"]
    assert [p["display_name"] for p in case["parties"]] == ["Newco Limited", "舊公司"]
    assert case["client_names"] == ["Newco Limited"]
    team = {m["member"]["id"]: m["is_supervisor"] for m in case["team"]}
    assert team == {firm_a.members["associate"].pk: False, firm_a.members["partner"].pk: True,
                    firm_a.members["trainee"].pk: False}
    assert case["progress"]["total"] > 10   # the HCA template was laid out
    assert client_for(firm_a, "trainee").get(f"/api/cases/{case['id']}/").status_code == 200


def test_a_case_whose_party_is_in_another_case_waits_with_the_hits(firm_a, case_a):
    body = {**NEW_CASE, "parties": [{"role": "defendant", "name_en": "Alpha Trading Ltd"}]}
    response = client_for(firm_a, "associate").post("/api/cases/", body, format="json")
    assert response.status_code == 201
    case = response.json()
    assert case["status"] == "pending"
    check = case["latest_conflict_check"]
    assert (check["status"], check["is_clear"]) == ("hits", False)
    assert check["hits"][0]["case_reference"] == "A-1"
    assert check["hits"][0]["searched_name"] == "Alpha Trading Ltd"
    assert case["progress"]["total"] == 0   # no template tasks until it is cleared


BAD_CASES = [
    ({"case_number": "HCA 12/24"}, "case_number", "invalid"),
    ({"case_number": "twelve"}, "case_number", "invalid"),
    ({"case_number": "XYZ 12/2024"}, "case_number", "unknown_prefix"),
    ({"case_number": "HCA 12/2024", "court": "DC"}, "court", "invalid"),
    ({"reference": "  "}, "reference", "invalid"),
    ({"title_en": ""}, "title_en", "invalid"),
    ({"opened_on": "2999-01-01"}, "opened_on", "invalid"),
    ({"parties": [{"role": "plaintiff", "name_en": "", "name_zh": ""}]}, "parties", "invalid"),
    ({"parties": [{"role": "plaintiff"}]}, "parties", "invalid"),
    ({"parties": [{"role": "villain", "name_en": "X"}]}, "parties", "invalid"),
    ({"parties": [{"name_en": "No role"}]}, "parties", "invalid"),
    ({"parties": "Newco"}, "parties", "invalid"),
    ({"opened_on": "last Tuesday"}, "opened_on", "invalid"),
    ({"unlisted_prefix_ok": "perhaps"}, "unlisted_prefix_ok", "invalid"),
    ({"tags": "urgent"}, "tags", "invalid"),
    ({"team": ["the partner"]}, "team", "invalid"),
    ({"responsible_partner": 999999}, "responsible_partner", "invalid"),
    ({"stage": "nearly done"}, "stage", "invalid"),
    ({"reference": "R" * 41}, "reference", "invalid"),
    ({"status": "open"}, "status", "invalid"),   # not something one sets on creation
]


@pytest.mark.parametrize(("change", "field", "code"), BAD_CASES, ids=[str(c[0])[:40] for c in BAD_CASES])
def test_a_bad_new_case_is_refused_by_field_and_nothing_is_saved(firm_a, case_a, change, field, code):
    before = row_counts(firm_a)
    response = client_for(firm_a, "associate").post("/api/cases/", {**NEW_CASE, **change}, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["code"], field in body["fields"]) == (code, True), body
    assert row_counts(firm_a) == before


def test_a_party_without_a_name_is_named_by_its_place_in_the_list(firm_a, case_a):
    before = row_counts(firm_a)
    parties = [{"role": "plaintiff", "name_en": "Named Ltd"}, {"role": "defendant", "name_en": " "},
               {"role": "third_party", "name_zh": "第三者"}, {"role": "interested_party"}]
    response = client_for(firm_a, "associate").post("/api/cases/", {**NEW_CASE, "parties": parties},
                                                     format="json")
    assert response.status_code == 400, response.content
    problems = response.json()["fields"]["parties"]
    assert [sorted(p) for p in problems] == [[], ["name_en"], [], ["name_en"]]
    assert all(isinstance(message, str) for message in problems[1]["name_en"])
    assert row_counts(firm_a) == before


def test_a_reference_or_number_already_used_is_refused(firm_a, case_a):
    response = client_for(firm_a, "associate").post(
        "/api/cases/", {"reference": "A-1", "title_en": "Again"}, format="json")
    assert response.status_code == 400
    assert "reference" in response.json()["fields"]


def test_an_unknown_prefix_is_kept_when_the_lawyer_says_it_is_right(firm_a):
    response = client_for(firm_a, "associate").post(
        "/api/cases/", {**NEW_CASE, "case_number": "abcd 12/2024", "unlisted_prefix_ok": True}, format="json")
    assert response.status_code == 201
    assert (response.json()["case_number"], response.json()["case_number_unlisted_prefix"]) == ("ABCD 12/2024", True)


def test_a_malformed_json_body_is_a_parse_error_and_saves_nothing(firm_a):
    before = row_counts(firm_a)
    response = client_for(firm_a, "associate").generic(
        "POST", "/api/cases/", '{"reference": "N-1", "title_en": ', content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "parse_error")
    assert row_counts(firm_a) == before


def test_a_body_that_is_not_an_object_is_refused(firm_a):
    response = client_for(firm_a, "associate").post("/api/cases/", ["N-1", "Newco v Oldco"], format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["fields"]


# --- One case ---------------------------------------------------------------------------------


def test_the_detail_has_parties_team_check_progress_and_clients(firm_a, case_a):
    case = client_for(firm_a, "associate").get(f"/api/cases/{case_a.pk}/").json()
    assert case["reference"] == "A-1" and case["status"] == "open"
    assert [p["role"] for p in case["parties"]] == ["plaintiff", "defendant"]
    assert {m["member"]["role"] for m in case["team"]} == {"partner", "associate"}
    assert case["latest_conflict_check"]["status"] == "no_hits"
    with firm_a.scope():
        leaves = Task.objects.filter(case=case_a, children__isnull=True).count()
    assert case["progress"] == {"done": 0, "total": leaves, "percent": 0}
    assert case["client_names"] == ["阿爾法貿易有限公司 Alpha Trading Limited"]


def test_the_detail_costs_the_same_queries_with_5_parties_as_with_30(firm_a, case_a):
    associate = client_for(firm_a, "associate")

    def add_parties(count):
        with as_the_firm(firm_a):
            for n in range(count):
                party_add(case=case_a, membership=firm_a.members["associate"], role="third_party",
                          name_en=f"Third party {n}", check_conflicts=False)

    add_parties(3)
    five = queries_for(associate, f"/api/cases/{case_a.pk}/")
    add_parties(25)
    thirty = queries_for(associate, f"/api/cases/{case_a.pk}/")
    assert len(associate.get(f"/api/cases/{case_a.pk}/").json()["parties"]) == 30
    assert five == thirty


def test_editing_a_case_changes_only_what_is_sent(firm_a, case_a):
    response = client_for(firm_a, "associate").patch(
        f"/api/cases/{case_a.pk}/", {"stage": "pleadings", "tags": ["bank"], "title_zh": ""}, format="json")
    assert response.status_code == 200, response.content
    case = response.json()
    assert (case["stage"], case["tags"], case["title_zh"], case["title_en"]) == (
        "pleadings", ["bank"], "", "Alpha v Omega")


def test_closing_a_case_records_the_day_it_closed(firm_a, case_a):
    case = client_for(firm_a, "partner").patch(f"/api/cases/{case_a.pk}/", {"status": "closed"}, format="json").json()
    assert (case["status"], case["closed_on"]) == ("closed", datetime.date.today().isoformat())


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"case_number": "HCA 1234"}, "case_number", "invalid"),
    ({"case_number": "QQQ 1/2024"}, "case_number", "unknown_prefix"),
    ({"status": "pending"}, "status", "invalid"),
    ({"status": "finished"}, "status", "invalid"),
    ({"title_en": ""}, "title_en", "invalid"),
    ({"reference": "B-9"}, "reference", "invalid"),     # not editable: refused, not ignored
    ({"closed_on": "soon"}, "closed_on", "invalid"),
])
def test_a_bad_edit_is_refused_by_field_and_nothing_changes(firm_a, case_a, change, field, code):
    before = row_counts(firm_a)
    response = client_for(firm_a, "partner").patch(f"/api/cases/{case_a.pk}/", change, format="json")
    assert response.status_code == 400, response.content
    assert (response.json()["code"], field in response.json()["fields"]) == (code, True)
    assert row_counts(firm_a) == before
    with firm_a.scope():
        assert Case.objects.get(pk=case_a.pk).case_number == "HCA 1234/2024"


# --- Parties -------------------------------------------------------------------------------


def test_a_new_party_is_checked_for_conflicts_at_once(firm_a, case_a):
    _make_cases(firm_a, 1, prefix="P")
    associate = client_for(firm_a, "associate")
    name = _unlike_any_other("P", 0)
    response = associate.post(f"/api/cases/{case_a.pk}/parties/",
                              {"role": "third_party", "name_en": name, "kind": "company"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["party"]["display_name"] == name
    assert body["conflict_check"]["status"] == "hits"
    assert body["conflict_check"]["hits"][0]["case_reference"] == "P-0"
    parties = associate.get(f"/api/cases/{case_a.pk}/parties/").json()["results"]
    assert [p["name_en"] for p in parties] == ["Alpha Trading Limited", "Omega Shipping Co Ltd", name]


@pytest.mark.parametrize(("body", "field"), [
    ({"role": "plaintiff"}, "name_en"),
    ({"role": "plaintiff", "name_en": "  ", "name_zh": ""}, "name_en"),
    ({"name_en": "No role"}, "role"),
    ({"role": "plaintiff", "name_en": "X", "is_client": "maybe"}, "is_client"),
    ({"role": "plaintiff", "name_en": "X", "check_conflicts": False}, "check_conflicts"),
])
def test_a_bad_party_is_refused_and_nothing_is_saved(firm_a, case_a, body, field):
    before = row_counts(firm_a)
    response = client_for(firm_a, "associate").post(f"/api/cases/{case_a.pk}/parties/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert row_counts(firm_a) == before


def test_a_party_is_removed_once(firm_a, case_a):
    associate = client_for(firm_a, "associate")
    with firm_a.scope():
        party_id = case_a.parties.order_by("pk").last().pk
    assert associate.delete(f"/api/cases/{case_a.pk}/parties/{party_id}/").status_code == 204
    assert associate.delete(f"/api/cases/{case_a.pk}/parties/{party_id}/").status_code == 404
    assert len(associate.get(f"/api/cases/{case_a.pk}/").json()["parties"]) == 1


# --- The team --------------------------------------------------------------------------------


def test_a_partner_adds_a_trainee_who_then_sees_the_case_and_removes_them_again(firm_a, case_a):
    partner, trainee = client_for(firm_a, "partner"), client_for(firm_a, "trainee")
    member = firm_a.members["trainee"].pk
    response = partner.post(f"/api/cases/{case_a.pk}/team/", {"member": member}, format="json")
    assert response.status_code == 201
    assert response.json() == {"member": {"id": member, "name": "Trainee of Alpha & Co", "role": "trainee"},
                               "is_supervisor": False}
    assert trainee.get(f"/api/cases/{case_a.pk}/").status_code == 200
    team = partner.get(f"/api/cases/{case_a.pk}/team/").json()["results"]
    assert member in [m["member"]["id"] for m in team]
    assert partner.delete(f"/api/cases/{case_a.pk}/team/{member}/").status_code == 204
    assert trainee.get(f"/api/cases/{case_a.pk}/").status_code == 404


def test_an_associate_who_does_not_supervise_cannot_change_the_team(firm_a, case_a):
    before = row_counts(firm_a)
    associate = client_for(firm_a, "associate")
    added = associate.post(f"/api/cases/{case_a.pk}/team/", {"member": firm_a.members["trainee"].pk}, format="json")
    removed = associate.delete(f"/api/cases/{case_a.pk}/team/{firm_a.members['partner'].pk}/")
    assert (added.status_code, added.json()["code"]) == (403, "forbidden")
    assert (removed.status_code, removed.json()["code"]) == (403, "forbidden")
    assert row_counts(firm_a) == before


def test_removing_someone_not_on_the_team_is_not_found(firm_a, case_a):
    response = client_for(firm_a, "partner").delete(f"/api/cases/{case_a.pk}/team/{firm_a.members['trainee'].pk}/")
    assert response.status_code == 404


@pytest.mark.parametrize("body", [{}, {"member": "trainee"}, {"member": None}, {"member": 1, "role": "boss"}])
def test_a_bad_team_member_payload_is_refused(firm_a, case_a, body):
    response = client_for(firm_a, "partner").post(f"/api/cases/{case_a.pk}/team/", body, format="json")
    assert response.status_code == 400


# --- Conflict checks --------------------------------------------------------------------------


def test_the_conflict_flow_from_hits_to_clearance_opens_the_case_with_its_template(firm_a, case_a):
    associate, partner = client_for(firm_a, "associate"), client_for(firm_a, "partner")
    # Given a new HCA case whose defendant is already case A-1's client
    body = {**NEW_CASE, "parties": [{"role": "defendant", "name_en": "Alpha Trading Limited"}]}
    case = associate.post("/api/cases/", body, format="json").json()
    check = case["latest_conflict_check"]
    assert (case["status"], check["status"]) == ("pending", "hits")
    clear = f"/api/cases/{case['id']}/conflict-checks/{check['id']}/clear/"

    # An associate may not clear it
    refused = associate.post(clear, {"reason": "Same group, consent obtained"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    # A partner must say why, in more than a word
    too_short = partner.post(clear, {"reason": "fine"}, format="json")
    assert too_short.status_code == 400 and "reason" in too_short.json()["fields"]
    missing = partner.post(clear, {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    assert associate.get(f"/api/cases/{case['id']}/").json()["status"] == "pending"

    # With a reason the check is cleared and the case opens, its HCA tasks laid out
    cleared = partner.post(clear, {"reason": "Same group of companies; written consent on file"}, format="json")
    assert cleared.status_code == 200, cleared.content
    assert (cleared.json()["status"], cleared.json()["cleared_by"]["role"]) == ("cleared", "partner")
    opened = associate.get(f"/api/cases/{case['id']}/").json()
    assert opened["status"] == "open"
    assert opened["latest_conflict_check"]["clearance_reason"].startswith("Same group")
    tree = associate.get(f"/api/cases/{case['id']}/tasks/").json()
    assert "Pleadings" in [t["title"] for t in tree["tasks"]]
    assert tree["progress"]["total"] > 10

    # And there is nothing left to clear
    again = partner.post(clear, {"reason": "Same group of companies; written consent on file"}, format="json")
    assert (again.status_code, again.json()["code"]) == (400, "nothing_to_clear")


def test_running_a_check_again_lists_it_first(firm_a, case_a):
    associate = client_for(firm_a, "associate")
    run = associate.post(f"/api/cases/{case_a.pk}/conflict-checks/")
    assert run.status_code == 201
    assert run.json()["run_by"]["id"] == firm_a.members["associate"].pk
    checks = associate.get(f"/api/cases/{case_a.pk}/conflict-checks/").json()["results"]
    assert [c["id"] for c in checks][0] == run.json()["id"] and len(checks) == 2


def test_only_the_latest_check_can_be_cleared(firm_a, case_a):
    partner = client_for(firm_a, "partner")
    case = partner.post("/api/cases/", {**NEW_CASE, "parties": [{"role": "defendant", "name_en": "Alpha Trading Limited"}]},
                        format="json").json()
    old = case["latest_conflict_check"]["id"]
    partner.post(f"/api/cases/{case['id']}/conflict-checks/")
    response = partner.post(f"/api/cases/{case['id']}/conflict-checks/{old}/clear/",
                            {"reason": "Same group of companies; written consent on file"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "stale_check")
    with firm_a.scope():
        assert Task.objects.filter(case_id=case["id"]).count() == 0
