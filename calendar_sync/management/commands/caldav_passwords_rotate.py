"""Re-encrypt every stored CalDAV password under the first CALDAV_ENCRYPTION_KEY.

After putting a new key first in CALDAV_ENCRYPTION_KEY (the old ones after it), run this;
then the old keys can be taken out. Passwords stored in plain text before encryption are
encrypted too. A password no key opens is left as it is and counted: its owner must
connect the calendar again (the sync page says so at the next push).
"""

from django.core.management.base import BaseCommand

from audit.selectors import firms_for_platform_job
from calendar_sync.crypto import UnreadableSecret
from calendar_sync.models import CalDAVConnection
from firms.tenancy import tenant_scope


class Command(BaseCommand):
    help = "Re-encrypt the stored CalDAV passwords under the first CALDAV_ENCRYPTION_KEY."

    def handle(self, *args, **options):
        done = unreadable = 0
        for firm in firms_for_platform_job():
            with tenant_scope(firm.pk):
                rows = CalDAVConnection.objects.select_for_update().exclude(password="").values_list("pk", "password")
                for pk, password in rows:
                    if isinstance(password, UnreadableSecret):
                        unreadable += 1
                        continue
                    CalDAVConnection.objects.filter(pk=pk).update(password=password)  # encrypts under the first key
                    done += 1
        self.stdout.write(f"{done} password(s) re-encrypted; {unreadable} could not be read (connect those again).")
        return None
