"""Measure pages, API and audit jobs on the bench database against the speed budgets.

    .venv/bin/python -m devtools env-exec -- .venv/bin/python bench/measure.py [--runs 100] [--rounds 3]

Runs in-process with Django's test ``Client`` (server time, no network), connected as
the app role exactly as the product runs (row-level security binding), signed in
(``force_login``) as the generated big firm's associate on ~70 case teams and as a
partner who sees all its cases. Each page is requested ``--warmup`` times, then
``--runs`` times timed; that is repeated ``--rounds`` times, interleaved, and the
figures are the median over rounds of each round's p50 and p95. Queries per request
come from one more request under ``CaptureQueriesContext``. The audit write figure
appends ``--audit-writes`` entries a round to the big firm's chain (valid, slowly longer).

A URL that does not resolve yet (page or API not built) is skipped with a note. The
results go to ``bench/results/<UTC timestamp>.json``; with ``--explain`` the slowest
queries of every page over budget are run again under ``EXPLAIN (ANALYZE, BUFFERS)``
(as the app role, with the firm set in the same transaction) into
``bench/results/<stamp>-explain.txt``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402
import calendar_cases  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"

# ARCHITECTURE.md "Speed budgets": server time at p95, in milliseconds.
BUDGETS = {
    "list": {"api": 20.0, "html": 30.0},
    "case": {"api": 10.0, "html": 40.0},
    "dashboard": {"html": 100.0},
}
AUDIT_VERIFY_BUDGET = 200_000  # entries per second
AUDIT_WRITE_BUDGET = 1.0  # ms per entry


@dataclass
class Scenario:
    name: str
    who: str
    kind: str  # "html", "api", "htmx" (the HTML fragment HTMX asks for) or "ics" (no session)
    url: str
    budget: float | None
    note: str = ""
    p50: list[float] = field(default_factory=list)
    p95: list[float] = field(default_factory=list)
    queries: int | None = None
    captured: list[dict] = field(default_factory=list)
    status: str = ""
    rows: int | None = None
    size: int | None = None
    busy: list[float] = field(default_factory=list)
    best: list[float] = field(default_factory=list)
    client: object = None


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def cpu_busy(seconds: float = 1.0) -> float:
    """How busy the whole machine's CPUs were over ``seconds`` (0–1), from /proc/stat."""
    def sample():
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
        return values[3] + values[4], sum(values)  # idle + iowait, total
    try:
        idle_a, total_a = sample()
        time.sleep(seconds)
        idle_b, total_b = sample()
    except OSError:
        return 0.0
    return 1 - (idle_b - idle_a) / max(1, total_b - total_a)


def wait_for_quiet(threshold: float, patience: float) -> float:
    """Wait (up to ``patience`` seconds) until other work leaves the CPUs mostly idle."""
    if threshold >= 1:
        return cpu_busy(0.2)
    deadline = time.monotonic() + patience
    while True:
        busy = cpu_busy(1.0)
        if busy <= threshold or time.monotonic() > deadline:
            return busy


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        memory_kb = 0
    return {"host": platform.node(), "cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(memory_kb / 2**20, 1),
            "python": platform.python_version(), "load_average": os.getloadavg()}


def git_state() -> dict:
    def run(*args):
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""
    return {"commit": run("rev-parse", "--short", "HEAD"), "dirty_files": len(run("status", "--porcelain").splitlines())}


def main() -> None:  # noqa: C901 - a script, read top to bottom
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help=f"bench database name (default {benchdb.DEFAULT_DATABASE})")
    parser.add_argument("--runs", type=int, default=100, help="timed requests per page per round")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated name fragments of the scenarios to run")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slow queries of pages over budget")
    parser.add_argument("--explain-all", action="store_true", help="EXPLAIN ANALYZE the slowest queries of every page")
    parser.add_argument("--audit-writes", type=int, default=300, help="audit entries written per round (big firm chain)")
    parser.add_argument("--show-queries", type=int, default=0, metavar="CHARS",
                        help="print every query of each page with its time (first CHARS characters)")
    parser.add_argument("--quiet", type=float, default=1.0, metavar="FRACTION",
                        help="before each page's timed runs, wait until the machine's CPUs are at most this busy "
                             "(other people's tests); 1 = never wait")
    parser.add_argument("--patience", type=float, default=15, help="longest wait for quiet, in seconds")
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--calendar-feed-runs", type=int, default=6,
                        help="ICS feed with an empty cache: timed requests (4x as many after one event changed)")
    parser.add_argument("--calendar-scan-rounds", type=int, default=3, help="reminder scan rounds")
    parser.add_argument("--migrate", action="store_true",
                        help="apply migrations written since the bench database was generated (new tables "
                             "start empty); without it they are only reported")
    args = parser.parse_args()

    name = benchdb.database_name(args.database)
    benchdb.point_django_at(name)
    # The reminder scan queues sends: to a queue no development worker reads (emptied after).
    os.environ["CELERY_QUEUE"] = calendar_cases.BENCH_QUEUE
    import django

    django.setup()

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import Resolver404, resolve

    from audit.context import acting_as, system_actor
    from audit.models import AuditEntry
    from audit.selectors import audit_chain_verify
    from audit.services import audit_record
    from cases.models import Case, CaseTeamMember, Party
    from firms.models import Firm, Membership, User
    from firms.tenancy import tenant_scope

    pending_migrations(apply=args.migrate)
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, version(), shobj_description("
                       "(SELECT oid FROM pg_database WHERE datname = current_database()), 'pg_database')")
        role, server, dataset_comment = cursor.fetchone()
        cursor.execute("SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem',"
                       " 'effective_cache_size', 'random_page_cost', 'jit', 'max_parallel_workers_per_gather')")
        pg_settings = {n: f"{s}{u or ''}" for n, s, u in cursor.fetchall()}
    if not dataset_comment:
        raise SystemExit(f"{name} has no complete dataset: run bench/generate.py first")
    dataset = json.loads(dataset_comment)
    print(f"database {name} as {role}; {server.split(',')[0]}; dataset of {dataset['generated_at']} "
          f"(scale {dataset['scale']})")

    # --- who and what -------------------------------------------------------------------
    with tenant_scope(None, platform=True):
        firm = Firm.objects.get(slug=benchdb.BIG_FIRM_SLUG)
    people = {"associate": User.objects.get(email=benchdb.ASSOCIATE_EMAIL),
              "partner": User.objects.get(email=benchdb.PARTNER_EMAIL)}
    with tenant_scope(firm.pk):
        members = {who: Membership.objects.get(user=user) for who, user in people.items()}
        associate = members["associate"]
        team_case_ids = list(CaseTeamMember.objects.filter(membership=associate).values_list("case_id", flat=True))
        # The associate's case with the longest history: its timeline has well over 100 items.
        heavy = (AuditEntry.objects.filter(firm_id=firm.pk, case_id__in=team_case_ids)
                 .values("case_id").annotate(n=django.db.models.Count("id")).order_by("-n").first())
        case = Case.objects.get(pk=heavy["case_id"])
        party = (Party.objects.filter(case_id__in=team_case_ids, kind="person")
                 .exclude(name_zh="").order_by("pk").first())
        open_visible = Case.objects.filter(pk__in=team_case_ids, status="open").count()
        firm_open = Case.objects.filter(status="open").count()
    print(f"associate on {len(team_case_ids)} case teams ({open_visible} open; the firm has {firm_open} open); "
          f"case {case.pk} {case.reference} has {heavy['n']} timeline entries; search for {party.name_en!r}")

    from urllib.parse import quote

    search_en = quote(party.name_en)
    search_zh = quote(party.name_zh)
    scenarios: list[Scenario] = []
    one = f"/cases/{case.pk}"
    for who in ("associate", "partner"):
        for kind, prefix in (("html", ""), ("api", "/api")):
            scenarios += [
                Scenario("case list, status=open sort=-opened", who, kind,
                         f"{prefix}/cases/?status=open&sort=-opened", BUDGETS["list"][kind]),
                Scenario("case list, search English party name", who, kind, f"{prefix}/cases/?q={search_en}",
                         BUDGETS["list"][kind]),
                Scenario("case list, search Chinese party name", who, kind, f"{prefix}/cases/?q={search_zh}",
                         BUDGETS["list"][kind]),
                Scenario("case list, unfiltered", who, kind, f"{prefix}/cases/", BUDGETS["list"][kind]),
                Scenario("one case", who, kind, f"{prefix}{one}/", BUDGETS["case"][kind]),
            ]
        scenarios += [
            Scenario("one case, timeline tab (50 items)", who, "html", f"{one}/timeline/", BUDGETS["case"]["html"]),
            Scenario("one case, tasks tab", who, "html", f"{one}/tasks/", BUDGETS["case"]["html"]),
            Scenario("one case, timeline limit=100", who, "api", f"/api{one}/timeline/?limit=100", None),
            Scenario("one case, tasks", who, "api", f"/api{one}/tasks/", None),
            Scenario("my work", who, "html", "/my-work/", None),
            Scenario("my work", who, "api", "/api/my-work/", None),
            Scenario("baseline: who am I", who, "api", "/api/me/", None,
                     note="the floor: session, user, membership, RLS set-up"),
        ]
    args.calendar_subjects = calendar_cases.subjects(firm, members)
    scenarios += calendar_cases.page_scenarios(Scenario, args.calendar_subjects)
    wanted = [w.strip() for w in args.only.split(",") if w.strip()]
    if wanted:
        scenarios = [s for s in scenarios if any(w in f"{s.name} {s.who} {s.kind}" for w in wanted)]
        if not any(w in "ICS feed" for w in wanted):
            args.calendar_feed_runs = 0
        if not any(w in "reminder scan" for w in wanted):
            args.calendar_scan_rounds = 0

    clients = {}
    for who, user in people.items():
        client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        clients[who] = client
    feed_client = Client(raise_request_exception=False)  # a calendar app: no session, the URL is the key
    for scenario in scenarios:
        scenario.client = feed_client if scenario.kind == "ics" else clients[scenario.who]

    def headers(kind):
        if kind == "htmx":
            return {"HTTP_ACCEPT": "text/html", "HTTP_HX_REQUEST": "true"}
        return {"HTTP_ACCEPT": "application/json"} if kind == "api" else {"HTTP_ACCEPT": "text/html"}

    for scenario in scenarios:
        try:
            resolve(scenario.url.split("?")[0])
        except Resolver404:
            scenario.status = "not built (URL does not resolve)"
            continue
        response = scenario.client.get(scenario.url, **headers(scenario.kind))
        if response.status_code != 200:
            scenario.status = f"HTTP {response.status_code}"
            error = getattr(response, "exc_info", None)
            if error and error[1] is not None:
                scenario.status += f" ({type(error[1]).__name__}: {str(error[1])[:120]}; being built?)"
            continue
        scenario.status = "ok"
        scenario.size = len(response.content)
        if scenario.kind == "api":
            body = response.json()
            results = body.get("results") if isinstance(body, dict) else body
            scenario.rows = len(results) if isinstance(results, list) else None
        else:
            scenario.rows = response.content.count(b"<tr") - 1 if b"<tbody" in response.content else None

    live = [s for s in scenarios if s.status == "ok"]
    for scenario in scenarios:
        if scenario.status != "ok":
            print(f"skipped: {scenario.who:9} {scenario.kind:4} {scenario.url}: {scenario.status}")

    # --- timing, interleaved rounds --------------------------------------------------------
    audit_verify_runs: list[tuple[int, float]] = []
    audit_writes: list[list[float]] = []
    for round_number in range(args.rounds):
        began = time.perf_counter()
        for scenario in live:
            client = scenario.client
            for _ in range(args.warmup if round_number == 0 else max(2, args.warmup // 5)):
                client.get(scenario.url, **headers(scenario.kind))
            scenario.busy.append(wait_for_quiet(args.quiet, args.patience))
            timings = []
            for _ in range(args.runs):
                started = time.perf_counter()
                response = client.get(scenario.url, **headers(scenario.kind))
                timings.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{scenario.url} answered {response.status_code} during timing")
            scenario.p50.append(statistics.median(timings))
            scenario.p95.append(percentile(timings, 0.95))
            scenario.best.append(min(timings))
        if not args.only or "audit" in args.only:
            started = time.perf_counter()
            report = audit_chain_verify(firm=firm)
            audit_verify_runs.append((report.count, time.perf_counter() - started))
            if report.first_break:
                print(f"AUDIT CHAIN BROKEN: {report.first_break}")
            writes, commits = [], []
            wait_for_quiet(args.quiet, args.patience)
            with acting_as(system_actor("bench")):
                for number in range(args.audit_writes):
                    with tenant_scope(firm.pk):
                        started = time.perf_counter()
                        audit_record(action="bench.write", object_type="bench", object_id=number,
                                     changes={"status": ["open", "closed"], "n": number})
                        written = time.perf_counter()
                    writes.append((written - started) * 1000)
                    commits.append((time.perf_counter() - written) * 1000)
            audit_writes.append((writes, commits))
        print(f"round {round_number + 1}/{args.rounds} in {time.perf_counter() - began:.0f} s", flush=True)

    for scenario in live:
        client = scenario.client
        timer = QueryTimer(connection)
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
            client.get(scenario.url, **headers(scenario.kind))
        scenario.queries = len(captured.captured_queries)
        scenario.captured = timer.queries
        if args.show_queries:
            print(f"-- {scenario.who} {scenario.kind} {scenario.url}: {len(timer.queries)} queries, "
                  f"{sum(q['ms'] for q in timer.queries):.2f} ms in the database")
            for query in timer.queries:
                print(f"   {query['ms']:7.2f}  {query['sql'][:args.show_queries]}")

    calendar = calendar_cases.jobs(args)

    # --- report --------------------------------------------------------------------------
    print()
    print(f"{'page':40} {'who':9} {'kind':4} {'p50 ms':>7} {'p95 ms':>7} {'budget':>6} {'queries':>7} "
          f"{'rows':>4} {'best':>6}  verdict")
    rows = []
    for scenario in scenarios:
        entry = {"name": scenario.name, "who": scenario.who, "kind": scenario.kind, "url": scenario.url,
                 "budget_ms": scenario.budget, "status": scenario.status, "note": scenario.note}
        if scenario.status == "ok":
            p50, p95 = statistics.median(scenario.p50), statistics.median(scenario.p95)
            verdict = "" if scenario.budget is None else ("ok" if p95 <= scenario.budget else "OVER")
            entry.update(best_ms=round(min(scenario.best), 2), cpu_busy_before=[round(b, 2) for b in scenario.busy], p50_ms=round(p50, 2), p95_ms=round(p95, 2), p50_rounds=[round(v, 2) for v in scenario.p50],
                         p95_rounds=[round(v, 2) for v in scenario.p95], queries=scenario.queries,
                         rows=scenario.rows, bytes=scenario.size, verdict=verdict,
                         slowest_queries=sorted(scenario.captured, key=lambda q: -q["ms"])[:5])
            budget = f"{scenario.budget:.0f}" if scenario.budget else "-"
            print(f"{scenario.name[:40]:40} {scenario.who:9} {scenario.kind:4} {p50:7.1f} {p95:7.1f} {budget:>6} "
                  f"{scenario.queries:7d} {scenario.rows if scenario.rows is not None else '-':>4} "
                  f"{min(scenario.best):6.1f}  {verdict}")
        else:
            print(f"{scenario.name[:40]:40} {scenario.who:9} {scenario.kind:4} {'':>7} {'':>7} {'':>6} {'':>7} "
                  f"{'':>4}  {scenario.status}")
        rows.append(entry)

    audit = {}
    if audit_verify_runs:
        rates = [count / seconds for count, seconds in audit_verify_runs]
        rate = statistics.median(rates)
        write_p50 = statistics.median(statistics.median(w) for w, _c in audit_writes)
        write_p95 = statistics.median(percentile(w, 0.95) for w, _c in audit_writes)
        commit_p50 = statistics.median(statistics.median(c) for _w, c in audit_writes)
        commit_p95 = statistics.median(percentile(c, 0.95) for _w, c in audit_writes)
        audit = {"verify_entries": audit_verify_runs[-1][0], "verify_seconds": [round(s, 3) for _, s in audit_verify_runs],
                 "verify_entries_per_s": round(rate), "verify_budget": AUDIT_VERIFY_BUDGET,
                 "verify_verdict": "ok" if rate >= AUDIT_VERIFY_BUDGET else "OVER",
                 "write_p50_ms": round(write_p50, 3), "write_p95_ms": round(write_p95, 3),
                 "write_budget_ms": AUDIT_WRITE_BUDGET, "commit_p50_ms": round(commit_p50, 3),
                 "commit_p95_ms": round(commit_p95, 3),
                 "write_verdict": "ok" if write_p95 <= AUDIT_WRITE_BUDGET else "OVER"}
        print(f"{'audit verify (big firm chain)':40} {'':9} {'job':4} {audit_verify_runs[-1][0]:,} entries in "
              f"{statistics.median(s for _, s in audit_verify_runs):.2f} s = {rate:,.0f} entries/s "
              f"(budget {AUDIT_VERIFY_BUDGET:,})  {audit['verify_verdict']}")
        print(f"{'audit write, one entry (in its txn)':40} {'':9} {'job':4} {write_p50:7.2f} {write_p95:7.2f} "
              f"{AUDIT_WRITE_BUDGET:6.0f}  {audit['write_verdict']}")
        print(f"{'  then COMMIT (WAL flush, not budgeted)':40} {'':9} {'job':4} {commit_p50:7.2f} {commit_p95:7.2f}")

    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    explained = []
    if args.explain or args.explain_all:
        explained = explain(scenarios, firm, members, args.explain_all)
    result = {
        "measured_at": stamp, "database": name, "role": role, "server": server, "pg_settings": pg_settings,
        "machine": machine(), "git": git_state(), "dataset": dataset,
        "params": {"runs": args.runs, "warmup": args.warmup, "rounds": args.rounds},
        "subjects": {"associate_case_teams": len(team_case_ids), "case_id": case.pk,
                     "case_timeline_entries": heavy["n"], "search_en": party.name_en, "search_zh": party.name_zh},
        "pages": rows, "audit": audit, "calendar": calendar,
    }
    if not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{stamp}.json"
        path.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str))
        print(f"\nsaved {path.relative_to(ROOT)}")
        if explained:
            explain_path = RESULTS / f"{stamp}-explain.txt"
            explain_path.write_text("\n\n".join(explained))
            print(f"saved {explain_path.relative_to(ROOT)}")


class QueryTimer:
    """Each query's SQL (parameters bound, ready for EXPLAIN) and its time in ms, to 0.01 ms."""

    def __init__(self, connection):
        self.connection = connection
        self.queries: list[dict] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            try:
                text = self.connection.ops.last_executed_query(context["cursor"], sql, params)
            except Exception:  # noqa: BLE001 - diagnostics only
                text = sql
            self.queries.append({"sql": text, "ms": round(elapsed, 3)})


def pending_migrations(*, apply: bool) -> None:
    """Report (or apply, as the owner, bench DB only) migrations newer than the dataset.

    Not by default: a migration still being written may be renamed, and one applied
    early leaves the bench database's history inconsistent (then regenerate it)."""
    from django.core.management import call_command
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections["owner"])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return
    names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan)
    if not apply:
        print(f"note: the bench database lacks migrations {names}; pages that need them fail "
              f"(--migrate applies them, or regenerate with generate.py --recreate)")
        return
    print(f"applying migrations written since the dataset was generated: {names}")
    try:
        call_command("migrate", database="owner", interactive=False, verbosity=0)
    except Exception as error:  # noqa: BLE001 - work in progress elsewhere must not stop a measurement
        print(f"  could not migrate ({type(error).__name__}: {error}); measuring without them")


def explain(scenarios, firm, members, every: bool) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the three slowest queries of each page (over budget, or all)."""
    from django.db import connection

    from firms.tenancy import tenant_scope

    out = []
    for scenario in scenarios:
        if scenario.status != "ok" or not scenario.captured:
            continue
        over = scenario.budget is not None and statistics.median(scenario.p95) > scenario.budget
        if not (over or every):
            continue
        membership = members[scenario.who]
        for query in sorted(scenario.captured, key=lambda q: -q["ms"])[:3]:
            statement = query["sql"]
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            with tenant_scope(firm.pk, user_id=membership.user_id), connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            out.append(f"== {scenario.who} {scenario.kind} {scenario.url} ({query['ms']:.2f} ms in the request)\n"
                       f"{statement}\n\n{plan}")
    return out


if __name__ == "__main__":
    main()
