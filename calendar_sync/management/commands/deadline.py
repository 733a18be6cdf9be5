"""python manage.py deadline --from 2026-02-13 --days 7 — the computation, then the due date.

The last line is the due date alone (YYYY-MM-DD), so scripts can take ``| tail -1``.
"""

from contextlib import nullcontext
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from calendar_sync.deadlines.engine import step_text
from calendar_sync.deadlines.selectors import deadline_rule_by_code
from calendar_sync.deadlines.services import deadline_compute
from config.errors import ApplicationError
from firms.models import Firm
from firms.tenancy import tenant_scope


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date like 2026-02-13.") from None


class Command(BaseCommand):
    help = "Compute a court deadline under RHC Order 3 and print every step; the last line is the date."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="trigger", required=True, type=iso_date, metavar="YYYY-MM-DD",
                            help="the trigger date (service, judgment …); not itself counted")
        parser.add_argument("--days", type=int, default=0, metavar="N")
        parser.add_argument("--months", type=int, default=0, metavar="N")
        parser.add_argument("--clear-days", action="store_true", help="N whole days between act and date")
        parser.add_argument("--before", action="store_true", help="the period runs back from the date")
        parser.add_argument("--court-office", action="store_true", help="an act done at a court office")
        parser.add_argument("--pleading", action="store_true",
                            help="a pleading: the Summer Vacation is not counted in the High Court")
        parser.add_argument("--court", choices=["HC", "DC"], help="High Court or District Court")
        parser.add_argument("--firm", metavar="SLUG",
                            help="use this firm's holiday corrections and closures")
        parser.add_argument("--rule", metavar="CODE", help="one of the firm's rules (needs --firm)")

    def handle(self, *args, trigger, days, months, clear_days, before, court_office, pleading, court,
               firm=None, rule=None, **options):
        if rule and not firm:
            raise CommandError("--rule needs --firm: rules belong to a firm.")
        firm_id = self._firm_id(firm) if firm else None
        try:
            # Without a firm nothing is read from the database: the package's holidays only.
            with tenant_scope(firm_id) if firm_id else nullcontext():
                found_rule = deadline_rule_by_code(firm_id=firm_id, code=rule) if rule else None
                computation = deadline_compute(
                    firm_id=firm_id, trigger_date=trigger, rule=found_rule, court=court, days=days,
                    months=months, clear_days=clear_days, before=before, court_office=court_office,
                    pleading=pleading)
        except ApplicationError as error:
            raise CommandError(_message(error)) from None
        for step in computation.steps:
            self.stdout.write(step_text(step))
        self.stdout.write(computation.due.isoformat())

    def _firm_id(self, slug: str) -> int:
        with tenant_scope(None, platform=True):
            firm = Firm.objects.filter(slug=slug).first()
        if firm is None:
            raise CommandError(f"No firm with the short name {slug!r}.")
        return firm.pk


def _message(error: ApplicationError) -> str:
    fields = "; ".join(f"{name}: {' '.join(str(m) for m in messages)}"
                       for name, messages in error.fields.items())
    return f"{error.message} ({fields})" if fields else str(error.message)
