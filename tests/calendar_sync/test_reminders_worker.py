"""Not tests: the Celery worker program the kill tests (test_reminders_kill.py) start.

    python -m tests.calendar_sync.test_reminders_worker

It is an ordinary ``celery worker`` (prefork pool, one child) except for one wrapped
function of the reminder send: the first call anywhere, across restarts, writes its
process id to REMINDER_TEST_MARKER and sleeps, so that the test can kill it exactly there.
REMINDER_TEST_PAUSE_AT chooses where:
- ``in_app``: in phase 1, after the Notification is written and before the commit;
- ``email``: in phase 2, with the Notification committed and the row locked, before the
  e-mail goes;
- ``after_email``: in phase 2, after the mail server took the e-mail, before the commit
  (the one window where a kill sends an e-mail twice; docs/calendar.md).
Django is imported only when run, so that pytest may collect this module harmlessly.
"""

import os
import time
from pathlib import Path

PAUSE_SECONDS = 120  # far longer than any test waits: only a kill ends the pause


def pause_once(marker: Path) -> None:
    if marker.exists():
        return
    marker.write_text(str(os.getpid()))
    time.sleep(PAUSE_SECONDS)


def install_pause(point: str, marker: Path) -> None:
    from calendar_sync.reminders import emails, services

    if point == "in_app":
        deliver_in_app = services._deliver_in_app

        def paused_after_in_app(*args, **kwargs):
            deliver_in_app(*args, **kwargs)
            pause_once(marker)

        services._deliver_in_app = paused_after_in_app
    elif point == "email":
        email_send = emails.reminder_email_send

        def paused_before_email(*args, **kwargs):
            pause_once(marker)
            email_send(*args, **kwargs)

        emails.reminder_email_send = paused_before_email
    elif point == "after_email":
        email_send = emails.reminder_email_send

        def paused_after_email(*args, **kwargs):
            email_send(*args, **kwargs)
            pause_once(marker)

        emails.reminder_email_send = paused_after_email
    else:
        raise SystemExit(f"REMINDER_TEST_PAUSE_AT={point!r}: use in_app, email or after_email")


def main() -> None:
    import django

    django.setup()
    from config.celery import app

    install_pause(os.environ["REMINDER_TEST_PAUSE_AT"], Path(os.environ["REMINDER_TEST_MARKER"]))
    # The pool's children are forked from this process, so they inherit the wrapped function.
    app.worker_main(["worker", "--pool=prefork", "--concurrency=1", "--loglevel=INFO",
                     f"--queues={os.environ['CELERY_QUEUE']}", "--without-mingle", "--without-gossip",
                     f"--hostname=reminder-kill-{os.getpid()}@%h"])


if __name__ == "__main__":
    main()
