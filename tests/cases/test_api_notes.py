"""Notes with @mentions, the case timeline paged by entry number, and the notification inbox."""

import pytest

from cases.services import note_add
from firms.models import Notification
from tests.cases.test_api_support import NOT_FOUND, as_the_firm, client_for, queries_for, row_counts

# --- Notes -------------------------------------------------------------------------------------


def test_a_note_with_a_mention_is_saved_and_the_person_told(firm_a, case_a):
    associate = client_for(firm_a, "associate")
    response = associate.post(f"/api/cases/{case_a.pk}/notes/",
                              {"body": "@partner the defence is in; email me at a@b.example"}, format="json")
    assert response.status_code == 201, response.content
    note = response.json()
    assert (note["kind"], note["author"]["role"]) == ("note", "associate")
    assert [m["role"] for m in note["mentions"]] == ["partner"]
    inbox = client_for(firm_a, "partner").get("/api/notifications/").json()["results"]
    assert [(n["kind"], n["case_id"]) for n in inbox] == [("mention", case_a.pk)]
    notes = associate.get(f"/api/cases/{case_a.pk}/notes/").json()["results"]
    assert [n["id"] for n in notes] == [note["id"]]


def test_notes_are_listed_newest_first(firm_a, case_a):
    associate = client_for(firm_a, "associate")
    for body in ("first", "second"):
        associate.post(f"/api/cases/{case_a.pk}/notes/", {"body": body, "kind": "message"}, format="json")
    notes = associate.get(f"/api/cases/{case_a.pk}/notes/").json()["results"]
    assert [(n["body"], n["kind"]) for n in notes] == [("second", "message"), ("first", "message")]


@pytest.mark.parametrize(("body", "message"), [
    ({"body": ""}, "Write something"),
    ({"body": "   "}, "Write something"),
    ({"body": "Ask @nobody"}, "No one in the firm goes by @nobody"),
    ({"body": "Ask @trainee"}, "cannot see this case"),
    ({"body": "x" * 20_001}, "under"),
    ({"body": "Hi", "kind": "memo"}, "valid choice"),
    ({"body": ["Hi"]}, "Not a valid string"),
    ({"text": "Hi"}, "required"),
])
def test_a_bad_note_is_refused_and_nothing_is_saved(firm_a, case_a, body, message):
    before = row_counts(firm_a)
    response = client_for(firm_a, "associate").post(f"/api/cases/{case_a.pk}/notes/", body, format="json")
    assert response.status_code == 400
    assert message in str(response.json()["fields"])
    assert row_counts(firm_a) == before


def test_the_notes_cost_the_same_queries_for_5_as_for_30(firm_a, case_a):
    associate = client_for(firm_a, "associate")

    def write(count):
        with as_the_firm(firm_a):
            for n in range(count):
                note_add(case=case_a, membership=firm_a.members["associate"], body=f"@partner update {n}")

    write(5)
    five = queries_for(associate, f"/api/cases/{case_a.pk}/notes/")
    write(25)
    thirty = queries_for(associate, f"/api/cases/{case_a.pk}/notes/")
    assert five == thirty


# --- The timeline --------------------------------------------------------------------------------


def test_the_timeline_pages_back_by_entry_number_until_the_start(firm_a, case_a):
    associate = client_for(firm_a, "associate")
    everything = associate.get(f"/api/cases/{case_a.pk}/timeline/").json()
    assert everything["next_before"] is None
    seqs = [item["seq"] for item in everything["results"]]
    assert seqs == sorted(seqs, reverse=True) and len(seqs) >= 6

    paged, before = [], ""
    while True:
        page = associate.get(f"/api/cases/{case_a.pk}/timeline/?limit=4{before}").json()
        assert len(page["results"]) <= 4
        paged += [item["seq"] for item in page["results"]]
        if page["next_before"] is None:
            break
        before = f"&before={page['next_before']}"
    assert paged == seqs


def test_a_page_of_exactly_the_rest_says_there_is_no_next(firm_a, case_a):
    associate = client_for(firm_a, "associate")
    count = len(associate.get(f"/api/cases/{case_a.pk}/timeline/").json()["results"])
    page = associate.get(f"/api/cases/{case_a.pk}/timeline/?limit={count}").json()
    assert (len(page["results"]), page["next_before"]) == (count, None)


def test_the_timeline_filters_by_kind_and_person(firm_a, case_a):
    associate = client_for(firm_a, "associate")
    associate.post(f"/api/cases/{case_a.pk}/notes/", {"body": "Called the client"}, format="json")
    parties = associate.get(f"/api/cases/{case_a.pk}/timeline/?kind=party").json()["results"]
    assert {item["action"] for item in parties} == {"party.add", "conflict.check"}
    assert {item["kind"] for item in parties} == {"party"}
    mine = associate.get(f"/api/cases/{case_a.pk}/timeline/?person={firm_a.user('associate').pk}").json()
    item, = mine["results"]
    assert (item["action"], item["note"]["body"], item["actor_name"]) == (
        "note.note", "Called the client", "Associate of Alpha & Co")


@pytest.mark.parametrize("query", ["kind=gossip", "before=yesterday", "before=0", "limit=0", "limit=500",
                                   "person=someone"])
def test_a_bad_timeline_query_is_a_400(firm_a, case_a, query):
    response = client_for(firm_a, "associate").get(f"/api/cases/{case_a.pk}/timeline/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["fields"]


# --- Notifications ------------------------------------------------------------------------------


@pytest.fixture
def mentioned_twice(firm_a, case_a):
    with as_the_firm(firm_a):
        for body in ("@partner one", "@partner two"):
            note_add(case=case_a, membership=firm_a.members["associate"], body=body)
        return list(Notification.objects.filter(recipient=firm_a.members["partner"]).order_by("pk"))


def test_a_notification_is_marked_read_once(firm_a, mentioned_twice):
    partner = client_for(firm_a, "partner")
    first, second = mentioned_twice
    read = partner.post(f"/api/notifications/{first.pk}/read/")
    assert read.status_code == 200 and read.json()["read_at"]
    again = partner.post(f"/api/notifications/{first.pk}/read/")
    assert again.json()["read_at"] == read.json()["read_at"]
    unread = partner.get("/api/notifications/?unread=true").json()["results"]
    assert [n["id"] for n in unread] == [second.pk]
    assert [n["id"] for n in partner.get("/api/notifications/").json()["results"]] == [second.pk, first.pk]


def test_all_notifications_are_marked_read_at_once(firm_a, mentioned_twice):
    partner = client_for(firm_a, "partner")
    assert partner.post("/api/notifications/read-all/").json() == {"marked_read": 2}
    assert partner.get("/api/notifications/?unread=true").json()["results"] == []
    assert client_for(firm_a, "associate").post("/api/notifications/read-all/").json() == {"marked_read": 0}


def test_someone_elses_notification_is_not_found(firm_a, firm_b, mentioned_twice):
    first = mentioned_twice[0]
    for outsider in (client_for(firm_a, "associate"), client_for(firm_b, "partner")):
        response = outsider.post(f"/api/notifications/{first.pk}/read/")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
        assert outsider.get("/api/notifications/").json()["results"] == []
