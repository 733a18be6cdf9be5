"""CalDAV push against a real Radicale server on 127.0.0.1 (started here, stopped at the end):
connect (and refusals that save nothing), create, update (SEQUENCE), cancel (removed),
a server that never answers (retries, then a visible failure), a repeated delivery (no
change), and the push task through a real Celery worker."""

import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta
from io import StringIO

import pytest
from caldav.lib.http_sync import requests as http
from celery.contrib.testing.worker import start_worker
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection as db_connection
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar

from audit.context import acting_as, system_actor
from calendar_sync import apps as apps_module
from calendar_sync import crypto, sync
from calendar_sync.caldav_push import selectors, services, tasks
from calendar_sync.caldav_push.client import PermanentPushError, TemporaryPushError, check_url
from calendar_sync.models import CalDAVConnection, CalDAVEventState, Event
from calendar_sync.services.events import event_cancel, event_create, event_update
from cases.services import case_team_remove
from config.celery import app as celery_app
from config.errors import ValidationFailed
from tests.conftest import token_for

USER, PASSWORD = "alice", "app-password-for-caseroom"
HK = timezone.get_default_timezone()


# --- A real CalDAV server, and one that never answers ----------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_answering(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Radicale exited with {process.returncode}")
        try:
            http.get(f"http://127.0.0.1:{port}/", timeout=1)
            return
        except http.exceptions.RequestException:
            time.sleep(0.1)
    raise RuntimeError("Radicale did not answer")


@pytest.fixture(scope="module")
def radicale(tmp_path_factory):
    """Radicale with one user (htpasswd, plain) on a free port; its URL."""
    folder = tmp_path_factory.mktemp("radicale")
    (folder / "users").write_text(f"{USER}:{PASSWORD}\n")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{port}",
         "--storage-filesystem-folder", str(folder / "collections"),
         "--auth-type", "htpasswd", "--auth-htpasswd-filename", str(folder / "users"),
         "--auth-htpasswd-encryption", "plain", "--auth-delay", "0", "--logging-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_until_answering(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def calendar_url(radicale):
    """A new, empty calendar collection for each test."""
    url = f"{radicale}/{USER}/{uuid.uuid4().hex}/"
    response = http.request("MKCALENDAR", url, auth=(USER, PASSWORD), timeout=5)
    assert response.status_code == 201, response.status_code
    return url


@pytest.fixture
def silent_server():
    """Accepts connections and never answers a byte."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(20)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/{USER}/calendar/"
    stop.set()
    thread.join(timeout=2)
    for conn in accepted:
        conn.close()
    listener.close()


def remote_objects(url: str) -> dict[str, Calendar]:
    """What the calendar holds, read straight from the server: {href: parsed calendar}."""
    body = ('<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            '<d:prop><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"/></c:filter>'
            '</c:calendar-query>')
    response = http.request("REPORT", url, data=body, auth=(USER, PASSWORD), timeout=5,
                            headers={"Depth": "1", "Content-Type": "application/xml"})
    assert response.status_code == 207, response.status_code
    from lxml import etree

    found = {}
    for item in etree.fromstring(response.content).iter("{DAV:}response"):
        href = item.findtext("{DAV:}href")
        data = item.findtext(".//{urn:ietf:params:xml:ns:caldav}calendar-data")
        if data:
            found[href] = Calendar.from_ical(data)
    return found


def remote_event(url: str, uid: str):
    for calendar in remote_objects(url).values():
        for component in calendar.walk("VEVENT"):
            if str(component["UID"]) == uid:
                return component
    return None


# --- Helpers ----------------------------------------------------------------------------


def soon(days: int, hour: int = 10) -> datetime:
    return datetime.combine(timezone.localdate() + timedelta(days=days), datetime.min.time(), tzinfo=HK) \
        + timedelta(hours=hour)


def connect(world, url, role="associate", password=PASSWORD) -> CalDAVConnection:
    with acting_as(system_actor("tests")), world.scope():
        return services.caldav_connect(membership=world.members[role], calendar_url=url, username=USER,
                                       password=password)


def make_event(world, role="associate", **fields) -> Event:
    fields = {"kind": Event.Kind.HEARING, "title": "Hearing", "start": soon(10), **fields}
    with acting_as(system_actor("tests")), world.scope():
        return event_create(owner=world.members[role], **fields)


def push(world, connection, event, **kwargs) -> str:
    with acting_as(system_actor("tests")), world.scope():
        return services.caldav_event_push(connection_id=connection.pk, event_id=event.pk, **kwargs).outcome


def state_of(world, connection, event) -> CalDAVEventState:
    with world.scope():
        return CalDAVEventState.objects.get(connection=connection, event=event)


@pytest.fixture(autouse=True)
def _sync_urls(settings):
    settings.CALDAV_TIMEOUT_SECONDS = 5


# --- Connecting -------------------------------------------------------------------------


def test_connecting_checks_the_calendar_and_saves_the_connection(firm_a, calendar_url):
    connection = connect(firm_a, calendar_url)
    assert (connection.status, connection.calendar_url, connection.username) == ("ok", calendar_url, USER)


def test_a_wrong_password_is_refused_clearly_and_nothing_is_saved(firm_a, calendar_url):
    with pytest.raises(ValidationFailed) as refused:
        connect(firm_a, calendar_url, password="wrong")
    assert refused.value.code == "caldav_refused"
    assert "refused the user name or password" in str(refused.value.fields["password"][0])
    with firm_a.scope():
        assert not CalDAVConnection.objects.exists()


def test_an_address_that_is_not_a_calendar_is_refused(firm_a, radicale):
    with pytest.raises(ValidationFailed) as missing:
        connect(firm_a, f"{radicale}/{USER}/no-such-calendar/")
    assert "no calendar" in str(missing.value.fields["calendar_url"][0]).lower()
    with pytest.raises(ValidationFailed) as not_a_calendar:
        connect(firm_a, f"{radicale}/{USER}/")
    assert "not a calendar" in str(not_a_calendar.value.fields["calendar_url"][0])


def test_a_server_that_does_not_answer_is_refused_in_time(firm_a, silent_server, settings, monkeypatch):
    monkeypatch.setattr(services, "CONNECT_TIMEOUT_SECONDS", 0.5)
    started = time.monotonic()
    with pytest.raises(ValidationFailed) as refused:
        connect(firm_a, silent_server)
    assert time.monotonic() - started < 5
    assert refused.value.code == "caldav_unreachable"
    assert "did not answer" in refused.value.message
    with firm_a.scope():
        assert not CalDAVConnection.objects.exists()


def test_the_connect_page_shows_the_refusal_and_saves_nothing(client, firm_a, calendar_url):
    client.force_login(firm_a.user("associate"))
    page = client.post("/calendar/sync/caldav/", {"calendar_url": calendar_url, "username": USER,
                                                  "password": "wrong"})
    assert page.status_code == 400
    assert "refused the user name or password" in page.content.decode()
    with firm_a.scope():
        assert not CalDAVConnection.objects.exists()
    page = client.post("/calendar/sync/caldav/", {"calendar_url": calendar_url, "username": USER,
                                                  "password": PASSWORD})
    assert page.status_code == 302
    sync_page = client.get("/calendar/sync/")
    assert sync_page.context["caldav"].connection.calendar_url == calendar_url


def test_the_api_connects_and_disconnects(api_client, firm_a, calendar_url):
    auth = {"HTTP_AUTHORIZATION": f"Token {token_for(firm_a.user('associate'))}"}
    refused = api_client.put("/api/calendar/caldav/", {"calendar_url": calendar_url, "username": USER,
                                                       "password": "wrong"}, format="json", **auth)
    assert refused.status_code == 400
    assert refused.json()["code"] == "caldav_refused"
    connected = api_client.put("/api/calendar/caldav/", {"calendar_url": calendar_url, "username": USER,
                                                         "password": PASSWORD}, format="json", **auth)
    assert connected.status_code == 200
    assert connected.json()["status"] == "ok"
    assert "password" not in connected.json()
    assert api_client.delete("/api/calendar/caldav/", **auth).status_code == 204
    assert api_client.get("/api/calendar/caldav/", **auth).json()["connected"] is False
    with firm_a.scope():
        assert CalDAVConnection.objects.get().password == ""


def test_another_firm_sees_none_of_our_calendar_connections(firm_a, firm_b, calendar_url):
    connection = connect(firm_a, calendar_url)
    push(firm_a, connection, make_event(firm_a))
    with firm_b.scope():
        assert not CalDAVConnection.objects.exists()
        assert not CalDAVEventState.objects.exists()
        assert selectors.connection_summary(firm_b.members["associate"]) is None
    with firm_a.scope():
        assert CalDAVEventState.objects.count() == 1


def test_private_addresses_and_plain_http_in_production_are_refused(settings):
    settings.CALDAV_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(PermanentPushError, match="private network"):
        check_url("http://127.0.0.1:6379/")
    settings.PRODUCTION = True
    with pytest.raises(PermanentPushError, match="https"):
        check_url("http://calendar.example.com/dav/")
    with pytest.raises(PermanentPushError, match="full address"):
        check_url("ftp://calendar.example.com/")


def test_a_name_that_cannot_be_looked_up_just_now_is_temporary(settings, monkeypatch):
    settings.CALDAV_ALLOW_PRIVATE_ADDRESSES = False

    def no_answer(*args, **kwargs):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", no_answer)
    with pytest.raises(TemporaryPushError):
        check_url("https://caldav.example.com/dav/")


def test_the_address_is_checked_again_at_every_push(firm_a, calendar_url, settings):
    connection = connect(firm_a, calendar_url)
    settings.CALDAV_ALLOW_PRIVATE_ADDRESSES = False  # e.g. the name now points inside our network
    assert push(firm_a, connection, make_event(firm_a)) == "failed"
    with firm_a.scope():
        connection.refresh_from_db()
    assert (connection.status, "private network" in connection.last_error) == ("error", True)


# --- Pushing ----------------------------------------------------------------------------


def test_a_new_event_lands_in_the_calendar_with_the_same_uid(firm_a, case_a, calendar_url):
    connection = connect(firm_a, calendar_url)
    event = make_event(firm_a, case=case_a, title="Case management conference")
    assert push(firm_a, connection, event) == "pushed"
    remote = remote_event(calendar_url, event.uid)
    assert remote is not None
    assert remote["SEQUENCE"] == 0
    assert str(remote["SUMMARY"]) == "Case management conference · A-1"
    assert remote.decoded("DTSTART") == event.start.astimezone(HK)
    assert remote.walk("VALARM")
    state = state_of(firm_a, connection, event)
    assert (state.status, state.pushed_sequence) == ("synced", 0)
    assert state.href.startswith(calendar_url) and state.etag


def test_an_update_is_put_again_with_the_new_sequence(firm_a, calendar_url):
    connection = connect(firm_a, calendar_url)
    event = make_event(firm_a)
    push(firm_a, connection, event)
    with acting_as(system_actor("tests")), firm_a.scope():
        event = event_update(event=event, membership=firm_a.members["associate"], title="Hearing (moved)",
                             start=soon(12), end=soon(12, 11))
    assert push(firm_a, connection, event) == "pushed"
    objects = remote_objects(calendar_url)
    assert len(objects) == 1
    remote = remote_event(calendar_url, event.uid)
    assert (remote["SEQUENCE"], str(remote["SUMMARY"])) == (1, "Hearing (moved)")
    assert state_of(firm_a, connection, event).pushed_sequence == 1


def test_a_cancelled_event_is_taken_out_of_the_calendar(firm_a, calendar_url):
    connection = connect(firm_a, calendar_url)
    event = make_event(firm_a)
    push(firm_a, connection, event)
    with acting_as(system_actor("tests")), firm_a.scope():
        event = event_cancel(event=event, membership=firm_a.members["associate"])
    assert push(firm_a, connection, event) == "removed"
    assert remote_event(calendar_url, event.uid) is None
    state = state_of(firm_a, connection, event)
    assert (state.status, state.pushed_sequence) == ("deleted", 1)


def test_an_event_of_a_case_one_left_is_taken_out(firm_a, case_a, calendar_url):
    connection = connect(firm_a, calendar_url)
    event = make_event(firm_a, case=case_a)
    push(firm_a, connection, event)
    with acting_as(system_actor("tests")), firm_a.scope():
        case_team_remove(case=case_a, membership=firm_a.members["associate"], by=firm_a.members["partner"])
    assert push(firm_a, connection, event) == "removed"
    assert remote_event(calendar_url, event.uid) is None


def test_a_second_delivery_changes_nothing(firm_a, calendar_url):
    connection = connect(firm_a, calendar_url)
    event = make_event(firm_a)
    push(firm_a, connection, event)
    before = state_of(firm_a, connection, event)
    assert push(firm_a, connection, event) == "unchanged"
    after = state_of(firm_a, connection, event)
    assert (after.etag, after.updated_at, after.pushed_sequence) == (before.etag, before.updated_at, 0)
    assert len(remote_objects(calendar_url)) == 1


def test_a_push_repeated_after_a_crash_overwrites_rather_than_duplicates(firm_a, calendar_url):
    connection = connect(firm_a, calendar_url)
    event = make_event(firm_a)
    push(firm_a, connection, event)
    with firm_a.scope():  # as if the worker died after the PUT, before recording it
        CalDAVEventState.objects.all().delete()
    assert push(firm_a, connection, event) == "pushed"
    assert len(remote_objects(calendar_url)) == 1


def test_a_refused_password_marks_the_connection_failing_without_retrying(firm_a, calendar_url):
    connection = connect(firm_a, calendar_url)
    with firm_a.scope():  # the app password was withdrawn at the provider
        CalDAVConnection.objects.filter(pk=connection.pk).update(password="withdrawn")
    event = make_event(firm_a)
    with acting_as(system_actor("tests")), firm_a.scope():
        result = services.caldav_event_push(connection_id=connection.pk, event_id=event.pk)
    assert (result.outcome, result.retry) == ("failed", None)
    with firm_a.scope():
        connection.refresh_from_db()
    assert connection.status == "error"
    assert "user name or password" in connection.last_error
    assert push(firm_a, connection, make_event(firm_a, title="Later")) == "skipped"
    summary = _summary(firm_a)
    assert summary.is_failing


def _summary(world, role="associate"):
    with world.scope():
        return selectors.connection_summary(world.members[role])


def test_a_silent_server_is_retried_then_shown_as_failed(firm_a, silent_server, settings):
    with firm_a.scope():
        connection = CalDAVConnection.objects.create(firm=firm_a.firm, membership=firm_a.members["associate"],
                                                     calendar_url=silent_server, username=USER, password="x")
    settings.CALDAV_TIMEOUT_SECONDS = 0.3
    event = make_event(firm_a)
    with acting_as(system_actor("tests")), firm_a.scope():
        first = services.caldav_event_push(connection_id=connection.pk, event_id=event.pk)
    assert first.outcome == "retry"
    assert "did not answer" in first.retry.message
    assert state_of(firm_a, connection, event).status == "pending"
    assert push(firm_a, connection, event, final_attempt=True) == "failed"
    state = state_of(firm_a, connection, event)
    assert (state.status, state.attempts) == ("failed", 2)
    assert "Gave up after 2 tries" in state.last_error


def test_the_back_off_grows_and_is_capped():
    for retries in range(10):
        ceiling = min(tasks.RETRY_MAX_SECONDS, tasks.RETRY_BASE_SECONDS * 2 ** retries)
        assert ceiling / 2 <= tasks.backoff_seconds(retries) <= ceiling
    assert tasks.backoff_seconds(0) <= 30 < tasks.backoff_seconds(3)


# --- Queueing -----------------------------------------------------------------------------


def test_an_event_change_queues_a_push_for_each_connected_person_who_has_it(firm_a, calendar_url, monkeypatch):
    mine = connect(firm_a, calendar_url)
    partners = connect(firm_a, calendar_url, role="partner")
    connect(firm_a, calendar_url, role="trainee")  # not on the event
    queued = []
    monkeypatch.setattr(services, "queue_push", lambda **kwargs: queued.append(kwargs))
    with acting_as(system_actor("tests")), firm_a.scope():
        event = event_create(owner=firm_a.members["associate"], attendees=[firm_a.members["partner"]],
                             kind=Event.Kind.HEARING, title="Hearing", start=soon(5))
    sync.queue_push_for_event(event_id=event.pk, firm_id=firm_a.firm.pk)
    assert sorted(q["connection_id"] for q in queued) == sorted([mine.pk, partners.pk])
    # The partner taken off the event: their calendar still holds it, so it is queued to come out.
    with firm_a.scope():
        CalDAVEventState.objects.create(firm=firm_a.firm, connection=partners, event=event, pushed_sequence=0,
                                        status="synced", href=calendar_url + "x.ics")
    with acting_as(system_actor("tests")), firm_a.scope():
        event_update(event=event, membership=firm_a.members["associate"], attendees=[])
    queued.clear()
    sync.queue_push_for_event(event_id=event.pk, firm_id=firm_a.firm.pk)
    assert sorted(q["connection_id"] for q in queued) == sorted([mine.pk, partners.pk])


def test_queueing_never_raises_into_the_page(firm_a, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(selectors, "connections_for_event", broken)
    sync.queue_push_for_event(event_id=1, firm_id=firm_a.firm.pk)  # logged, not raised


def test_the_sweep_finds_a_push_whose_task_was_lost(firm_a, calendar_url):
    connection = connect(firm_a, calendar_url)
    lost = make_event(firm_a, title="Lost")
    sent = make_event(firm_a, title="Sent")
    push(firm_a, connection, sent)
    with firm_a.scope():
        Event.objects.filter(pk__in=[lost.pk, sent.pk]).update(updated_at=timezone.now() - timedelta(minutes=10))
        now = timezone.now()
        found = selectors.pushes_lost(changed_between=(now - timedelta(days=2), now - timedelta(minutes=5)),
                                      in_flight_for=timedelta(hours=1))
    assert found == [(connection.pk, lost.pk)]


def test_the_sync_page_shows_failed_events_and_trying_again_queues_them(client, firm_a, calendar_url, monkeypatch):
    connection = connect(firm_a, calendar_url)
    event = make_event(firm_a)
    with firm_a.scope():
        CalDAVEventState.objects.create(firm=firm_a.firm, connection=connection, event=event, status="failed",
                                        last_error="The calendar server did not answer within 10 seconds.")
    client.force_login(firm_a.user("associate"))
    page = client.get("/calendar/sync/")
    assert "1 event could not be sent" in page.content.decode()
    assert "did not answer within 10 seconds" in page.content.decode()
    queued = []
    monkeypatch.setattr(services, "queue_push", lambda **kwargs: queued.append(kwargs))
    assert client.post("/calendar/sync/caldav/retry/").status_code == 302
    assert queued == [{"connection_id": connection.pk, "event_id": event.pk, "firm_id": firm_a.firm.pk}]
    assert state_of(firm_a, connection, event).status == "pending"


# --- Through a real worker ----------------------------------------------------------------------


@pytest.fixture
def celery_worker_running():
    celery_app.loader.import_module("celery.contrib.testing.tasks")
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def wait_for(check, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.1)
    raise AssertionError("waited in vain")


@pytest.mark.django_db(transaction=True)
def test_changes_reach_the_calendar_through_the_worker_and_a_redelivery_does_nothing(
        firm_a, calendar_url, celery_worker_running):
    connection = connect(firm_a, calendar_url)
    event = make_event(firm_a)  # after commit: queue_push_for_event, then the worker
    assert wait_for(lambda: remote_event(calendar_url, event.uid))["SEQUENCE"] == 0
    with acting_as(system_actor("tests")), firm_a.scope():
        event = event_update(event=event, membership=firm_a.members["associate"], title="Hearing (moved)")
    wait_for(lambda: (remote_event(calendar_url, event.uid) or {}).get("SEQUENCE") == 1)
    wait_for(lambda: state_of(firm_a, connection, event).pushed_sequence == 1)
    # The same task delivered again (a worker that died before acknowledging it):
    assert tasks.push_event.delay(connection.pk, event.pk, firm_a.firm.pk).get(timeout=30) == "unchanged"
    assert len(remote_objects(calendar_url)) == 1
    with acting_as(system_actor("tests")), firm_a.scope():
        event_cancel(event=event, membership=firm_a.members["associate"])
    wait_for(lambda: remote_event(calendar_url, event.uid) is None)


@pytest.mark.django_db(transaction=True)
def test_a_silent_server_is_retried_by_the_worker_then_shown_as_failed(firm_a, silent_server, settings,
                                                                      monkeypatch, celery_worker_running):
    settings.CALDAV_TIMEOUT_SECONDS = 0.3
    monkeypatch.setattr(tasks, "RETRY_BASE_SECONDS", 0.2)
    monkeypatch.setattr(tasks.push_event, "max_retries", 2)
    event = make_event(firm_a)  # before the connection, so that only the task below pushes it
    with firm_a.scope():
        connection = CalDAVConnection.objects.create(firm=firm_a.firm, membership=firm_a.members["associate"],
                                                     calendar_url=silent_server, username=USER, password="x")
    assert tasks.push_event.delay(connection.pk, event.pk, firm_a.firm.pk).get(timeout=60) == "failed"
    state = state_of(firm_a, connection, event)
    assert (state.status, state.attempts) == ("failed", 3)
    assert "did not answer within 0.3 seconds" in state.last_error
    summary = _summary(firm_a)
    assert (summary.failed, summary.is_failing) == (1, False)  # the calendar is not blamed: it may come back


# --- Taken off a case team: its events come out of the person's calendar -------------------------


def test_taking_someone_off_a_case_team_queues_the_removal_after_commit(firm_a, case_a, calendar_url, monkeypatch,
                                                                        django_capture_on_commit_callbacks):
    connection = connect(firm_a, calendar_url)
    case_event = make_event(firm_a, case=case_a, title="Case hearing")
    own_event = make_event(firm_a, title="No case")
    push(firm_a, connection, case_event)
    push(firm_a, connection, own_event)
    queued = []
    monkeypatch.setattr(services, "queue_push", lambda **kwargs: queued.append(kwargs))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with acting_as(system_actor("tests")), firm_a.scope():
            case_team_remove(case=case_a, membership=firm_a.members["associate"], by=firm_a.members["partner"])
        assert queued == []  # nothing before the commit
    assert len(callbacks) == 1
    assert queued == [{"connection_id": connection.pk, "event_id": case_event.pk, "firm_id": firm_a.firm.pk}]
    assert push(firm_a, connection, case_event) == "removed"
    assert remote_event(calendar_url, case_event.uid) is None
    assert remote_event(calendar_url, own_event.uid) is not None


def test_no_removal_is_queued_for_a_removal_rolled_back_or_for_someone_not_on_the_team(
        firm_a, case_a, calendar_url, monkeypatch, django_capture_on_commit_callbacks):
    connection = connect(firm_a, calendar_url, role="trainee")
    event = make_event(firm_a, case=case_a)
    with firm_a.scope():
        CalDAVEventState.objects.create(firm=firm_a.firm, connection=connection, event=event, pushed_sequence=0,
                                        status="synced", href=calendar_url + "x.ics")
    queued = []
    monkeypatch.setattr(services, "queue_push", lambda **kwargs: queued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True) as callbacks, acting_as(system_actor("tests")), \
            firm_a.scope():
        case_team_remove(case=case_a, membership=firm_a.members["trainee"], by=firm_a.members["partner"])
        with pytest.raises(RuntimeError), transaction.atomic():
            case_team_remove(case=case_a, membership=firm_a.members["associate"], by=firm_a.members["partner"])
            raise RuntimeError("the request failed after the removal")
    assert callbacks == [] and queued == []


@pytest.mark.django_db(transaction=True)
def test_an_event_of_a_case_one_is_taken_off_leaves_the_calendar_through_the_worker(
        firm_a, case_a, calendar_url, celery_worker_running):
    connection = connect(firm_a, calendar_url)
    event = make_event(firm_a, case=case_a)
    wait_for(lambda: remote_event(calendar_url, event.uid))
    with acting_as(system_actor("tests")), firm_a.scope():
        case_team_remove(case=case_a, membership=firm_a.members["associate"], by=firm_a.members["partner"])
    wait_for(lambda: remote_event(calendar_url, event.uid) is None)
    wait_for(lambda: state_of(firm_a, connection, event).status == "deleted")


# --- The password at rest ---------------------------------------------------------------------------


def stored_password(world, connection) -> str:
    """The column as the database holds it (not through the model)."""
    with world.scope(), db_connection.cursor() as cursor:
        cursor.execute("SELECT password FROM calendar_sync_caldavconnection WHERE id = %s", [connection.pk])
        return cursor.fetchone()[0]


def test_the_password_is_stored_encrypted_and_the_push_still_signs_in(firm_a, calendar_url):
    connection = connect(firm_a, calendar_url)
    stored = stored_password(firm_a, connection)
    assert stored.startswith("fernet:") and PASSWORD not in stored
    assert Fernet(crypto.derived_key(django_settings.SECRET_KEY)).decrypt(stored[7:].encode()).decode() == PASSWORD
    with firm_a.scope():
        assert CalDAVConnection.objects.get(pk=connection.pk).password == PASSWORD
        assert not CalDAVConnection.objects.filter(password__contains=PASSWORD[:8]).exists()
    event = make_event(firm_a)
    assert push(firm_a, connection, event) == "pushed"
    assert remote_event(calendar_url, event.uid) is not None


def test_a_key_of_its_own_a_new_key_and_the_rotation(firm_a, calendar_url, settings):
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CALDAV_ENCRYPTION_KEY = first
    connection = connect(firm_a, calendar_url)
    assert Fernet(first).decrypt(stored_password(firm_a, connection)[7:].encode()).decode() == PASSWORD

    settings.CALDAV_ENCRYPTION_KEY = f"{second},{first}"  # a new key first, the old one still reads
    assert push(firm_a, connection, make_event(firm_a, title="After the new key")) == "pushed"
    out = StringIO()
    call_command("caldav_passwords_rotate", stdout=out)
    assert "1 password(s) re-encrypted; 0 could not be read" in out.getvalue()
    assert Fernet(second).decrypt(stored_password(firm_a, connection)[7:].encode()).decode() == PASSWORD

    settings.CALDAV_ENCRYPTION_KEY = second  # the old key gone: still signs in
    assert push(firm_a, connection, make_event(firm_a, title="After the rotation")) == "pushed"


def test_a_password_no_key_opens_fails_the_calendar_with_what_to_do(firm_a, calendar_url, settings, client):
    settings.CALDAV_ENCRYPTION_KEY = Fernet.generate_key().decode()
    connection = connect(firm_a, calendar_url)
    settings.CALDAV_ENCRYPTION_KEY = Fernet.generate_key().decode()  # the key was lost
    client.force_login(firm_a.user("associate"))
    assert client.get("/calendar/sync/").status_code == 200  # the page still works
    assert push(firm_a, connection, make_event(firm_a)) == "failed"
    with firm_a.scope():
        connection.refresh_from_db()
    assert connection.status == "error"
    assert "can no longer read the password" in connection.last_error
    out = StringIO()
    call_command("caldav_passwords_rotate", stdout=out)
    assert "0 password(s) re-encrypted; 1 could not be read" in out.getvalue()


def test_the_migration_encrypts_passwords_stored_plain_and_can_undo_it(firm_a, firm_b, calendar_url):
    from importlib import import_module
    from types import SimpleNamespace

    migration = import_module("calendar_sync.migrations.0009_caldav_password_encrypted")
    ours, theirs = connect(firm_a, calendar_url), connect(firm_b, calendar_url)
    for world, row in ((firm_a, ours), (firm_b, theirs)):  # as the column held them before
        with world.scope(), db_connection.cursor() as cursor:
            cursor.execute("UPDATE calendar_sync_caldavconnection SET password = %s WHERE id = %s", [PASSWORD, row.pk])
    editor = SimpleNamespace(connection=db_connection)

    migration.encrypt_stored_passwords(None, editor)
    for world, row in ((firm_a, ours), (firm_b, theirs)):
        assert stored_password(world, row).startswith("fernet:")
        assert push(world, row, make_event(world, title=f"After the migration {world.firm.slug}")) == "pushed"
    migration.encrypt_stored_passwords(None, editor)  # again: nothing encrypted twice
    with firm_a.scope():
        assert CalDAVConnection.objects.get(pk=ours.pk).password == PASSWORD

    migration.decrypt_stored_passwords(None, editor)
    assert stored_password(firm_a, ours) == stored_password(firm_b, theirs) == PASSWORD


def test_a_bad_key_stops_every_command_and_deploy_checks_mention_a_missing_one(settings):
    settings.CALDAV_ENCRYPTION_KEY = "not-a-key"
    [error] = apps_module.check_caldav_encryption_key()
    assert error.id == "calendar_sync.E001" and "not a Fernet key" in error.msg
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt_text("secret")
    settings.CALDAV_ENCRYPTION_KEY = ""
    assert apps_module.check_caldav_encryption_key() == []
    [note] = apps_module.check_caldav_encryption_key_is_set()
    assert note.id == "calendar_sync.I001" and note.level < checks.WARNING  # check --deploy still passes
    settings.CALDAV_ENCRYPTION_KEY = Fernet.generate_key().decode()
    assert apps_module.check_caldav_encryption_key_is_set() == []


def test_a_rotated_secret_key_still_opens_what_was_stored_under_the_old_one(settings):
    stored = crypto.encrypt_text("app-password")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert crypto.decrypt_text(stored) == "app-password"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(crypto.Unreadable):
        crypto.decrypt_text(stored)
