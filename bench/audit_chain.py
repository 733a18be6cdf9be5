"""Benchmark the audit writer and chain verification.

Run with the database env set (``python -m devtools env-exec -- python bench/audit_chain.py``).
Writes N entries into a throw-away firm, one transaction each (as requests do), then
verifies that chain. Prints figures comparable run to run; budgets in
docs/architecture.md: 1 ms per entry written, 200,000 entries verified per second.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from audit.context import acting_as, system_actor  # noqa: E402
from audit.selectors import audit_chain_verify  # noqa: E402
from audit.services import audit_record  # noqa: E402
from firms.services import firm_create  # noqa: E402
from firms.tenancy import tenant_scope  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1, help="entries per transaction")
    args = parser.parse_args()
    with acting_as(system_actor("bench")), transaction.atomic():
        firm = firm_create(name="Bench firm", slug=f"bench-{uuid.uuid4().hex[:8]}")
    timings = []
    with acting_as(system_actor("bench")):
        for start in range(0, args.entries, args.batch):
            began = time.perf_counter()
            with tenant_scope(firm.pk):
                for number in range(start, min(start + args.batch, args.entries)):
                    audit_record(action="bench.write", object_type="case", object_id=number,
                                 changes={"status": ["open", "closed"], "n": number})
            timings.append((time.perf_counter() - began) / args.batch)
    began = time.perf_counter()
    report = audit_chain_verify(firm=firm)
    verify_seconds = time.perf_counter() - began
    timings.sort()
    print(f"server: PostgreSQL {connection.pg_version}, {args.entries} entries, batch {args.batch}")
    print(f"write  p50 {statistics.median(timings) * 1000:.3f} ms  "
          f"p95 {timings[int(len(timings) * 0.95)] * 1000:.3f} ms per entry (incl. commit)")
    print(f"verify {report.count} entries in {verify_seconds:.3f} s = "
          f"{report.count / verify_seconds:,.0f} entries/s; broken: {report.first_break}")


if __name__ == "__main__":
    main()
