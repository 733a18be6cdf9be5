"""The calendar's cases for bench/measure.py: pages, the ICS feed and the reminder scan.

Needs the events of ``generate_events.py``. Pages and the warm feed are ordinary
scenarios (``page_scenarios``), timed by measure.py's loop with the others. What needs
its own loop is here (``jobs``):

- the busy partner's one-year feed with an empty cache (every VEVENT rendered: the
  cache keys get a prefix of their own for each request, nothing else's cache is
  touched), and after one of their events changed (``event_update`` between requests,
  not timed);
- the reminder scan over every firm (``reminders_scan(now=…)``, as the beat task calls
  it): at 08:00:30 HKT of the next weekday, when all-day deadlines' reminders fall due,
  first with no deliveries recorded (it records them) and then again at the same moment
  (nothing new); and at the moment of the run. The deliveries it records are deleted
  afterwards, and the send tasks it queues go to a queue of the bench's own
  (``CELERY_QUEUE=caseroom-bench``, set by measure.py before Django starts), emptied
  afterwards, so no worker of the development setup ever sees them.
"""

from __future__ import annotations

import statistics
import time
import uuid
from datetime import date, datetime, timedelta

BENCH_QUEUE = "caseroom-bench"
ICS_BUDGET = 50.0  # ms, ARCHITECTURE.md: a person's ICS feed, one year
PAGE_BUDGET = 40.0  # ms: no budget for calendar pages; the HTML page budget of one case
SCAN_BUDGET = 1000.0  # ms, ARCHITECTURE.md: reminder scan over 100,000 upcoming deadlines


def subjects(firm, members) -> dict:
    """The busy partner's feed path and membership, the busiest team and its busiest month and week."""
    from django.db import connection

    from audit.context import acting_as, system_actor
    from calendar_sync.feeds import tokens
    from calendar_sync.models import Event
    from firms.models import TeamMember
    from firms.tenancy import tenant_scope

    partner = members["partner"]
    with tenant_scope(firm.pk), acting_as(system_actor("bench")):
        if not Event.objects.filter(firm_id=firm.pk).exists():
            return {}
        secret = tokens.feed_secret_for(membership=partner)
        associate_secret = tokens.feed_secret_for(membership=members["associate"])
        team = TeamMember.objects.filter(membership=partner).values_list("team_id", flat=True).first()
        with connection.cursor() as cursor:
            # The team's events by month and by week (Monday) over the coming year.
            cursor.execute("""
                SELECT date_trunc(%s, e.start AT TIME ZONE 'Asia/Hong_Kong')::date AS period, count(DISTINCT e.id)
                FROM calendar_sync_event e
                JOIN calendar_sync_eventattendee a ON a.event_id = e.id
                JOIN firms_teammember t ON t.membership_id = a.membership_id AND t.team_id = %s
                WHERE e.firm_id = %s AND e.start >= now() AND e.status <> 'cancelled'
                GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1""", ["month", team, firm.pk])
            month, month_events = cursor.fetchone()
            cursor.execute("""
                SELECT date_trunc('week', e.start AT TIME ZONE 'Asia/Hong_Kong')::date, count(DISTINCT e.id)
                FROM calendar_sync_event e
                JOIN calendar_sync_eventattendee a ON a.event_id = e.id
                JOIN firms_teammember t ON t.membership_id = a.membership_id AND t.team_id = %s
                WHERE e.firm_id = %s AND e.start >= now() AND e.status <> 'cancelled'
                GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1""", [team, firm.pk])
            week, week_events = cursor.fetchone()
    return {"feed_path": tokens.feed_path(secret), "associate_feed_path": tokens.feed_path(associate_secret),
            "partner": partner, "team": team, "month": month, "month_events": month_events, "week": week,
            "week_events": week_events}


def page_scenarios(Scenario, found: dict) -> list:  # noqa: N803 - measure.py's class
    if not found:
        return []
    team, month, week = found["team"], found["month"].isoformat(), found["week"].isoformat()
    this_month = date.today().replace(day=1).isoformat()
    team_month = f"/calendar/?cal=team:{team}&view=month&date={month}"
    note_month = f"{found['month_events']} events of the team that month"
    return [
        Scenario("calendar month, busiest team", "partner", "html", team_month, PAGE_BUDGET, note=note_month),
        Scenario("calendar month, busiest team", "partner", "htmx", team_month, PAGE_BUDGET, note=note_month),
        Scenario("calendar week, busiest team", "partner", "html", f"/calendar/?cal=team:{team}&view=week&date={week}",
                 PAGE_BUDGET, note=f"{found['week_events']} events of the team that week"),
        Scenario("calendar month, own", "partner", "html", f"/calendar/?view=month&date={month}", PAGE_BUDGET),
        Scenario("calendar month, own (this month)", "associate", "html", f"/calendar/?view=month&date={this_month}",
                 PAGE_BUDGET),
        Scenario("ICS feed, one year, warm cache", "partner", "ics", found["feed_path"], ICS_BUDGET,
                 note="busy partner: ~1,500 events in the coming year, a year back too"),
        Scenario("ICS feed, one year, warm cache", "associate", "ics", found["associate_feed_path"], ICS_BUDGET),
    ]


def _percentiles(timings: list[float]) -> dict:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"p50_ms": round(statistics.median(ordered), 2), "p95_ms": round(p95, 2), "best_ms": round(ordered[0], 2),
            "runs": len(ordered)}


def _queries(function) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def feed_jobs(found: dict, *, cold_runs: int, changed_runs: int) -> dict:
    """The busy partner's feed: with an empty cache, and after one of their events changed."""
    from django.test import Client

    from audit.context import acting_as, system_actor
    from calendar_sync.feeds import rendering
    from calendar_sync.models import Event
    from calendar_sync.services.events import event_update
    from firms.tenancy import tenant_scope

    client = Client(raise_request_exception=True)
    path = found["feed_path"]
    original_prefix = rendering.CACHE_PREFIX

    def get():
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"the feed answered {response.status_code}")
        return response

    body = get().content
    events = body.count(b"BEGIN:VEVENT")
    results = {"events_in_feed": events, "bytes": len(body)}

    cold = []
    cold_queries = None
    try:
        for run in range(cold_runs):
            rendering.CACHE_PREFIX = f"ics:bench-{uuid.uuid4().hex[:12]}:"
            if run == 0:
                cold_queries = _queries(get)
                continue
            started = time.perf_counter()
            get()
            cold.append((time.perf_counter() - started) * 1000)
    finally:
        rendering.CACHE_PREFIX = original_prefix
    if cold:
        results["cold"] = {**_percentiles(cold), "queries": cold_queries}

    partner = found["partner"]
    with tenant_scope(partner.firm_id):
        event = (Event.objects.filter(owner=partner, start__gte=datetime.now().astimezone(), rrule="")
                 .exclude(status="cancelled").order_by("start").first())
    get()  # warm
    changed = []
    changed_queries = None
    for run in range(changed_runs + 1):
        with tenant_scope(partner.firm_id), acting_as(system_actor("bench")):
            event = event_update(event=event, membership=partner,
                                 title=event.title.removesuffix(" (moved)") if run % 2 else event.title + " (moved)")
        if run == 0:
            changed_queries = _queries(get)
            continue
        started = time.perf_counter()
        get()
        changed.append((time.perf_counter() - started) * 1000)
    results["one_event_changed"] = {**_percentiles(changed), "queries": changed_queries}
    return results


def next_weekday_morning(now: datetime) -> datetime:
    """08:00:30 HKT on the next weekday: when all-day deadlines' reminders fall due."""
    from zoneinfo import ZoneInfo

    hk = ZoneInfo("Asia/Hong_Kong")
    day = now.astimezone(hk).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 8, 0, 30, tzinfo=hk)


def _clear_deliveries(firm_ids: list[int], since: datetime) -> int:
    """Deliveries the scan recorded during the benchmark (created_at is the scan's now)."""
    from calendar_sync.models import ReminderDelivery
    from firms.tenancy import tenant_scope

    deleted = 0
    for firm_id in firm_ids:
        with tenant_scope(firm_id):
            deleted += ReminderDelivery.objects.filter(firm_id=firm_id, created_at__gte=since).delete()[0]
    return deleted


def _empty_bench_queue() -> None:
    from django.conf import settings

    if settings.CELERY_TASK_DEFAULT_QUEUE != BENCH_QUEUE:
        raise SystemExit("refusing: the reminder scan would queue sends where a worker may take them")
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(BENCH_QUEUE)


def scan_jobs(*, rounds: int) -> dict:
    """reminders_scan(now=…) as the beat task runs it, at the morning peak and now."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from audit.context import acting_as, system_actor
    from audit.selectors import firms_for_platform_job
    from calendar_sync.reminders.services import reminders_scan

    if settings.CELERY_TASK_DEFAULT_QUEUE != BENCH_QUEUE:
        raise SystemExit("refusing: the reminder scan would queue sends where a worker may take them")
    firm_ids = [firm.pk for firm in firms_for_platform_job()]
    now = timezone.now()
    peak = next_weekday_morning(now)
    earliest = min(now, peak) - timedelta(days=1)

    def scan(moment):
        with acting_as(system_actor("reminders_scan")):
            started = time.perf_counter()
            recorded = reminders_scan(now=moment)
            return (time.perf_counter() - started) * 1000, recorded

    results = {"firms": len(firm_ids), "peak_moment": peak.isoformat(), "first": [], "again": [], "next_minute": [],
               "now": [], "now_again": []}
    try:
        _clear_deliveries(firm_ids, earliest)
        for _round in range(rounds):
            results["first"].append(scan(peak))
            results["again"].append(scan(peak))
            results["next_minute"].append(scan(peak + timedelta(minutes=1)))
            _clear_deliveries(firm_ids, earliest)
            results["now"].append(scan(now))
            results["now_again"].append(scan(now))
            _clear_deliveries(firm_ids, earliest)
            _empty_bench_queue()
        with CaptureQueriesContext(connection) as captured:
            scan(peak + timedelta(minutes=2))
        results["queries"] = len(captured.captured_queries)
    finally:
        _clear_deliveries(firm_ids, earliest)
        _empty_bench_queue()
    summary = {}
    for key in ("first", "again", "next_minute", "now", "now_again"):
        timings = [ms for ms, _n in results[key]]
        summary[key] = {**_percentiles(timings), "recorded": [n for _ms, n in results[key]]}
    return {"firms": results["firms"], "peak_moment": results["peak_moment"], "queries": results["queries"],
            **summary}


def jobs(args) -> dict:
    """Run the calendar jobs measure.py asks for; print and return their figures."""
    out = {}
    found = getattr(args, "calendar_subjects", None)
    if found and args.calendar_feed_runs:
        out["feed"] = feed_jobs(found, cold_runs=args.calendar_feed_runs, changed_runs=args.calendar_feed_runs * 4)
        feed = out["feed"]
        print(f"ICS feed, busy partner: {feed['events_in_feed']} events, {feed['bytes']:,} bytes")
        for key in ("cold", "one_event_changed"):
            if key in feed:
                figure = feed[key]
                verdict = "ok" if figure["p95_ms"] <= ICS_BUDGET else "OVER"
                print(f"  {key:20} p50 {figure['p50_ms']:8.1f}  p95 {figure['p95_ms']:8.1f}  best "
                      f"{figure['best_ms']:8.1f} ms  {figure['queries']} queries  (budget {ICS_BUDGET:.0f})  {verdict}")
    if args.calendar_scan_rounds:
        out["scan"] = scan_jobs(rounds=args.calendar_scan_rounds)
        scan = out["scan"]
        print(f"reminder scan over {scan['firms']} firms ({scan['queries']} statements a scan); peak at "
              f"{scan['peak_moment']}")
        for key in ("first", "again", "next_minute", "now", "now_again"):
            figure = scan[key]
            verdict = "ok" if figure["p95_ms"] <= SCAN_BUDGET else "OVER"
            print(f"  {key:12} p50 {figure['p50_ms']:8.1f}  p95 {figure['p95_ms']:8.1f}  best {figure['best_ms']:8.1f}"
                  f" ms  recorded {figure['recorded']}  {verdict}")
    return out
