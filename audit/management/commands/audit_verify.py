from django.core.management.base import BaseCommand, CommandError

from audit.selectors import audit_chain_verify, firms_for_platform_job


class Command(BaseCommand):
    help = "Recompute the audit hash chains; exit 1 naming the first broken entry."

    def add_arguments(self, parser):
        parser.add_argument("--firm", metavar="SLUG", help="verify only this firm's chain")
        parser.add_argument("--independent", action="store_true",
                            help="recompute every hash in Python, trusting no database function")

    def handle(self, *args, firm=None, independent=False, **options):
        firms = firms_for_platform_job()
        if firm:
            firms = [f for f in firms if f.slug == firm]
            if not firms:
                raise CommandError(f"No firm with the short name {firm!r}.")
            chains = firms
        else:
            chains = [None, *firms]
        total = 0
        for chain_firm in chains:
            report = audit_chain_verify(firm=chain_firm, independent=independent)
            if report.first_break:
                brk = report.first_break
                self.stderr.write(
                    f"BROKEN firm={report.firm_slug} entry={brk.seq}: {brk.reason}"
                )
                raise SystemExit(1)
            total += report.count
        self.stdout.write(f"OK {total} entries verified in {len(chains)} chain(s).")
