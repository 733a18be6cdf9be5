"""A/B of the calendar's speed work: the code of an earlier commit against the working tree,
interleaved request by request in one process, on the bench database.

    .venv/bin/python -m devtools env-exec -- .venv/bin/python bench/calendar_ab.py [--before 7039fe6] [--runs 20]

"Before" is the feed's rendering and selectors and the calendar's range selector as they
were at ``--before`` (loaded from git into modules of their own and swapped in for
every other request); "after" is the working tree. Cases: the busy partner's feed warm,
after one event changed and with an empty cache; the busiest team's month and week and
the partner's own month. With ``--prototype-indexes`` it then creates, as the owner, the
two partial indexes proposed in docs/performance.md ("Calendar") and measures "after"
again with them, and drops them at the end.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import subprocess
import sys
import time
import types
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402

PROTOTYPE_INDEXES = {
    "bench_event_long_idx": "(firm_id, start) WHERE (\"end\" - start) > interval '1 day'",
    "bench_event_repeating_idx": "(firm_id, start) WHERE rrule <> ''",
}


def module_at(revision: str, path: str, name: str) -> types.ModuleType:
    source = subprocess.run(["git", "show", f"{revision}:{path}"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout
    module = types.ModuleType(name)
    module.__file__ = f"{revision}:{path}"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)  # noqa: S102 - our own code at a commit
    return module


def main() -> None:  # noqa: C901 - a script
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="7039fe6", help="the commit to compare with (default: before the work)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cold-runs", type=int, default=4)
    parser.add_argument("--database")
    parser.add_argument("--prototype-indexes", action="store_true")
    args = parser.parse_args()
    name = benchdb.database_name(args.database)
    benchdb.point_django_at(name)
    import django

    django.setup()
    import calendar_cases
    from django.conf import settings
    from django.db import connections
    from django.test import Client

    from audit.context import acting_as, system_actor
    from calendar_sync.feeds import rendering as rendering_after
    from calendar_sync.feeds import selectors as feed_selectors_after
    from calendar_sync.feeds import views as feed_views
    from calendar_sync.models import Event
    from calendar_sync.services.events import event_update
    from firms.models import Firm, Membership
    from firms.tenancy import tenant_scope

    settings.ALLOWED_HOSTS.append("testserver")
    calendar_page = importlib.import_module("calendar_sync.views.calendar_page")  # the package hides the module
    rendering_before = module_at(args.before, "calendar_sync/feeds/rendering.py", "bench_before_rendering")
    feed_selectors_before = module_at(args.before, "calendar_sync/feeds/selectors.py", "bench_before_feed_selectors")
    events_before = module_at(args.before, "calendar_sync/selectors/events.py", "bench_before_events")
    range_after = calendar_page.calendar_range

    class OldRendering:
        """The old feed_bytes, which knew no feed_key, under the view's name for the module."""

        @staticmethod
        def feed_bytes(*positional, feed_key=None, **named):
            return rendering_before.feed_bytes(*positional, **named)

    def use(variant: str) -> None:
        before = variant == "before"
        feed_views.rendering = OldRendering if before else rendering_after
        feed_views.selectors = feed_selectors_before if before else feed_selectors_after
        calendar_page.calendar_range = (
            (lambda m, f, s, e, with_people=True: events_before.calendar_range(m, f, s, e)) if before else range_after)

    with tenant_scope(None, platform=True):
        firm = Firm.objects.get(slug=benchdb.BIG_FIRM_SLUG)
    with tenant_scope(firm.pk):
        members = {"partner": Membership.objects.select_related("user").get(user__email=benchdb.PARTNER_EMAIL),
                   "associate": Membership.objects.select_related("user").get(user__email=benchdb.ASSOCIATE_EMAIL)}
    found = calendar_cases.subjects(firm, members)
    partner = members["partner"]
    feed = Client()
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(partner.user)
    team, month, week = found["team"], found["month"].isoformat(), found["week"].isoformat()
    pages = {"month, busiest team": f"/calendar/?cal=team:{team}&view=month&date={month}",
             "week, busiest team": f"/calendar/?cal=team:{team}&view=week&date={week}",
             "month, partner's own": f"/calendar/?view=month&date={month}"}
    with tenant_scope(firm.pk):
        moved = (Event.objects.filter(owner=partner, rrule="", status="confirmed").order_by("-start").first())

    def timed(function) -> float:
        started = time.perf_counter()
        response = function()
        if response.status_code != 200:
            raise SystemExit(f"answered {response.status_code}")
        return (time.perf_counter() - started) * 1000

    def change_one(counter=[0]):  # noqa: B006 - a counter across calls
        nonlocal moved
        counter[0] += 1
        with tenant_scope(firm.pk), acting_as(system_actor("bench")):
            moved = event_update(event=moved, membership=partner,
                                 title=moved.title.removesuffix(" (moved)") if counter[0] % 2 else moved.title + " (moved)")

    def cold_get(variant):
        module = rendering_before if variant == "before" else rendering_after
        original = module.CACHE_PREFIX
        module.CACHE_PREFIX = f"ics:ab-{uuid.uuid4().hex[:10]}:"
        try:
            return feed.get(found["feed_path"])
        finally:
            module.CACHE_PREFIX = original

    def getter(url):
        return lambda variant: page.get(url)

    cases = {"ICS feed, warm": lambda variant: feed.get(found["feed_path"]),
             **{f"page: {label}": getter(url) for label, url in pages.items()}}

    def measure(variants: list[str]) -> dict:
        results: dict = {}
        for label, request in cases.items():
            for variant in variants:
                use(variant)
                for _ in range(3):
                    request(variant)
            for _ in range(args.runs):
                for variant in variants:
                    use(variant)
                    results.setdefault((label, variant), []).append(timed(lambda: request(variant)))  # noqa: B023
        for _ in range(args.runs):
            for variant in variants:
                use(variant)
                feed.get(found["feed_path"])
                change_one()
                results.setdefault(("ICS feed, one event changed", variant), []).append(
                    timed(lambda: feed.get(found["feed_path"])))
        for _ in range(args.cold_runs):
            for variant in variants:
                use(variant)
                results.setdefault(("ICS feed, empty cache", variant), []).append(
                    timed(lambda: cold_get(variant)))  # noqa: B023
        use("after")
        return results

    def report(results: dict) -> None:
        for (label, variant), values in sorted(results.items()):
            ordered = sorted(values)
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            print(f"{label:34} {variant:22} p50 {statistics.median(ordered):8.1f}  p95 {p95:8.1f}  "
                  f"best {ordered[0]:8.1f} ms  (n={len(ordered)})", flush=True)

    import os

    print(f"load average {os.getloadavg()}; before = {args.before}, after = working tree", flush=True)
    report(measure(["before", "after"]))
    if args.prototype_indexes:
        owner = connections["owner"]
        try:
            with owner.cursor() as cursor:
                for index, definition in PROTOTYPE_INDEXES.items():
                    cursor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON calendar_sync_event {definition}")
                cursor.execute("ANALYZE calendar_sync_event")
            print(f"with the prototype indexes; load average {os.getloadavg()}", flush=True)
            report({(label, f"{variant} + indexes"): values
                    for (label, variant), values in measure(["before", "after"]).items()})
        finally:
            with owner.cursor() as cursor:
                for index in PROTOTYPE_INDEXES:
                    cursor.execute(f"DROP INDEX IF EXISTS {index}")
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
