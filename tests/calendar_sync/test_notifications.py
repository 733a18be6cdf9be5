"""notify(): in the app and by e-mail as each person prefers; the preferences page.

This module is also the URLconf of its page tests: the page's URL is wired into
config/urls.py by its owner (see docs/calendar.md)."""

from __future__ import annotations

import pytest
from django.urls import path, reverse

from audit.context import acting_as, system_actor
from calendar_sync.models import NotificationPreference
from calendar_sync.reminders import views
from cases.services.notes import note_add
from config import urls as site_urls
from firms import notifications
from firms.models import Notification
from firms.notifications import notify
from tests.calendar_sync.test_reminders import queue_of_this_test, wait_for

urlpatterns = [
    path("notifications/preferences/", views.notification_preferences_page, name="notification-preferences"),
    *site_urls.urlpatterns,
]


def prefer(world, role: str, kind: str, *, in_app: bool, by_email: bool) -> None:
    with world.scope():
        NotificationPreference.objects.update_or_create(
            firm=world.firm, membership=world.members[role], kind=kind,
            defaults={"in_app": in_app, "by_email": by_email})


def inbox(world, role: str) -> list[Notification]:
    with world.scope():
        return list(Notification.objects.filter(recipient=world.members[role]).order_by("pk"))


# --- notify() ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_notify_by_default_writes_the_notification_and_queues_the_email_after_commit(
        firm_a, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr("calendar_sync.tasks.notification_email_send.delay", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=False) as callbacks, firm_a.scope():
        notification = notify(recipient=firm_a.members["associate"], kind="task_assigned", title="New task: file it",
                              url="/cases/1/tasks/", case_id=1)
    assert notification.pk and inbox(firm_a, "associate") == [notification]
    assert queued == []  # nothing goes out before the change commits
    (send,) = callbacks
    send()
    assert queued == [(firm_a.firm.pk, firm_a.members["associate"].pk, "task_assigned", "New task: file it",
                       "/cases/1/tasks/", notification.pk)]


@pytest.mark.django_db
def test_notify_with_in_app_off_writes_no_notification_but_still_emails(firm_a, django_capture_on_commit_callbacks):
    prefer(firm_a, "associate", "mention", in_app=False, by_email=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, firm_a.scope():
        assert notify(recipient=firm_a.members["associate"], kind="mention", title="You were mentioned") is None
    assert inbox(firm_a, "associate") == []
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_notify_with_email_off_queues_nothing(firm_a, django_capture_on_commit_callbacks):
    prefer(firm_a, "associate", "mention", in_app=True, by_email=False)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, firm_a.scope():
        notify(recipient=firm_a.members["associate"], kind="mention", title="You were mentioned")
    assert len(inbox(firm_a, "associate")) == 1
    assert callbacks == []


@pytest.mark.django_db
def test_a_preference_for_one_kind_leaves_the_other_kinds_alone(firm_a, django_capture_on_commit_callbacks):
    prefer(firm_a, "associate", "mention", in_app=False, by_email=False)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, firm_a.scope():
        notify(recipient=firm_a.members["associate"], kind="task_assigned", title="A task")
    assert len(inbox(firm_a, "associate")) == 1 and len(callbacks) == 1


@pytest.mark.django_db
def test_a_rolled_back_change_sends_no_email(firm_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(RuntimeError), \
            firm_a.scope():
        notify(recipient=firm_a.members["associate"], kind="mention", title="You were mentioned")
        raise RuntimeError("the change failed")
    assert callbacks == [] and inbox(firm_a, "associate") == []


@pytest.mark.django_db
def test_the_email_says_the_title_links_to_the_item_and_to_the_preferences(firm_a, mailoutbox, settings):
    settings.CASEROOM_SITE_URL = "https://caseroom.example.hk"
    settings.ROOT_URLCONF = __name__
    with firm_a.scope():
        assert notifications.notification_email_send(
            recipient_id=firm_a.members["associate"].pk, kind="mention", title="Partner mentioned you on A-1",
            url="/cases/1/notes/", notification_id=42)
    (email,) = mailoutbox
    assert email.to == [firm_a.user("associate").email]
    assert email.subject == "Partner mentioned you on A-1"
    assert "https://caseroom.example.hk/cases/1/notes/" in email.body
    assert "https://caseroom.example.hk/notifications/preferences/" in email.body
    assert email.extra_headers["Message-ID"] == f"<notification.{firm_a.firm.pk}.42@caseroom.example>"


@pytest.mark.django_db
def test_without_the_sites_address_the_email_carries_no_link(firm_a, mailoutbox, settings):
    settings.CASEROOM_SITE_URL = ""
    with firm_a.scope():
        notifications.notification_email_send(recipient_id=firm_a.members["associate"].pk, kind="mention",
                                               title="Mentioned", url="/cases/1/notes/")
    assert "/cases/1/notes/" not in mailoutbox[0].body


@pytest.mark.django_db
@pytest.mark.parametrize("gone", ["left the firm", "turned e-mail off since"])
def test_no_email_to_someone_who_left_or_turned_email_off_since(firm_a, mailoutbox, gone):
    if gone == "left the firm":
        with firm_a.scope():
            firm_a.members["associate"].is_active = False
            firm_a.members["associate"].save(update_fields=["is_active"])
    else:
        prefer(firm_a, "associate", "mention", in_app=True, by_email=False)
    with firm_a.scope():
        assert notifications.notification_email_send(
            recipient_id=firm_a.members["associate"].pk, kind="mention", title="Mentioned", url="") is False
    assert mailoutbox == []


@pytest.mark.django_db
def test_another_firms_member_cannot_be_emailed_from_this_firms_scope(firm_a, firm_b, mailoutbox):
    with firm_a.scope():
        assert notifications.notification_email_send(
            recipient_id=firm_b.members["associate"].pk, kind="mention", title="Mentioned", url="") is False
    assert mailoutbox == []


def test_every_notification_kind_fits_its_column():
    width = Notification._meta.get_field("kind").max_length
    assert all(len(kind) <= width for kind, _label in notifications.notification_kinds())


# --- Event-driven notifications through a real worker --------------------------------------------


@pytest.fixture
def worker(transactional_db):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app as celery_app

    celery_app.loader.import_module("celery.contrib.testing.tasks")
    with queue_of_this_test() as queue, start_worker(celery_app, pool="solo", perform_ping_check=False,
                                                     shutdown_timeout=10, queues=[queue]) as running:
        yield running


@pytest.fixture
def open_case(firm_a):
    """A case the associate opened, with the trainee on its team."""
    from cases.services import case_create

    with acting_as(system_actor("tests")), firm_a.scope():
        return case_create(membership=firm_a.members["associate"], reference="N-1", title_en="Notes v Mentions",
                           responsible_partner=firm_a.members["partner"], team=[firm_a.members["trainee"]])


@pytest.mark.django_db(transaction=True)
def test_an_at_mention_reaches_the_inbox_and_the_mailbox_once(firm_a, open_case, worker, mailoutbox):
    with acting_as(system_actor("tests")), firm_a.scope():
        note_add(case=open_case, membership=firm_a.members["associate"], body="@trainee please check the bundle")

    wait_for(lambda: len(mailoutbox) == 1, what="the mention's e-mail")
    (notification,) = inbox(firm_a, "trainee")
    assert notification.kind == "mention"
    assert mailoutbox[0].to == [firm_a.user("trainee").email]
    assert mailoutbox[0].subject == notification.title


@pytest.mark.django_db(transaction=True)
def test_an_at_mention_with_email_off_reaches_only_the_inbox(firm_a, open_case, worker, mailoutbox):
    prefer(firm_a, "trainee", "mention", in_app=True, by_email=False)
    with acting_as(system_actor("tests")), firm_a.scope():
        note_add(case=open_case, membership=firm_a.members["associate"], body="@trainee please check")
        note_add(case=open_case, membership=firm_a.members["trainee"], body="@associate done")

    wait_for(lambda: len(mailoutbox) == 1, what="the associate's e-mail")  # the later of the two
    assert [m.to for m in mailoutbox] == [[firm_a.user("associate").email]]
    assert len(inbox(firm_a, "trainee")) == 1


# --- The preferences page -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_page_shows_every_kind_with_both_ways_on_by_default(client, firm_a):
    client.force_login(firm_a.user("associate"))
    response = client.get(reverse("notification-preferences"))
    assert response.status_code == 200
    page = response.content.decode()
    for kind, _label in notifications.notification_kinds():
        assert f'name="{kind}-in_app" checked' in page
        assert f'name="{kind}-by_email" checked' in page


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_saving_the_page_records_the_choices_and_audits_them(client, firm_a):
    client.force_login(firm_a.user("associate"))
    on = {f"{kind}-{way}": "on" for kind, _label in notifications.notification_kinds()
          for way in ("in_app", "by_email")}
    del on["mention-by_email"], on["reminder-in_app"]
    response = client.post(reverse("notification-preferences"), on)
    assert response.status_code == 302

    with firm_a.scope():
        associate = firm_a.members["associate"]
        assert notifications.preference_for(associate, "mention") == notifications.Preference(True, False)
        assert notifications.preference_for(associate, "reminder") == notifications.Preference(False, True)
        assert notifications.preference_for(associate, "task_assigned") == notifications.Preference(True, True)
        assert notifications.preference_for(firm_a.members["trainee"], "mention") == notifications.Preference()
        from audit.models import AuditEntry

        entry = AuditEntry.objects.filter(action="notification_preferences.update").get()
    assert entry.object_id == str(associate.pk)
    assert entry.changes == {"mention": [[True, True], [True, False]], "reminder": [[True, True], [False, True]]}
    page = client.get(reverse("notification-preferences")).content.decode()
    assert 'name="mention-by_email">' in page and 'name="mention-in_app" checked' in page


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_one_firms_choices_never_touch_anothers(client, firm_a, firm_b):
    client.force_login(firm_b.user("associate"))
    client.post(reverse("notification-preferences"), {})  # everything off, for firm B's associate
    with firm_a.scope():
        assert notifications.preference_for(firm_a.members["associate"], "mention") == notifications.Preference()
    with firm_b.scope():
        assert notifications.preference_for(firm_b.members["associate"], "mention") == notifications.Preference(
            False, False)


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(reverse("notification-preferences"))
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
