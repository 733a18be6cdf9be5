"""Where a request's time goes: cProfile over N requests to one URL on the bench database.

    .venv/bin/python -m devtools env-exec -- .venv/bin/python bench/profile_request.py \\
        --who associate --runs 50 "/cases/?status=open&sort=-opened"

Signs in like bench/measure.py (the big firm's associate or partner, as the app role),
warms up, then profiles ``--runs`` requests and prints the functions with the most
cumulative and own time, and the split between time in the database (queries) and
in Python. ``CASE`` in the URL is replaced by the case bench/measure.py uses, ``FEED`` by the
path of the ICS feed of the person signed in (``--who``), ``TEAM`` by the partner's team.

``--explain N`` instead captures one request's queries and runs the N slowest again
under ``EXPLAIN (ANALYZE, BUFFERS)``, as the app role with the firm set in the same
transaction (so the plans include the row-level-security filters).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--who", choices=["associate", "partner"], default="associate")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--database")
    parser.add_argument("--explain", type=int, default=0, metavar="N",
                        help="EXPLAIN ANALYZE the N slowest queries of one request instead of profiling")
    args = parser.parse_args()
    benchdb.point_django_at(benchdb.database_name(args.database))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from audit.models import AuditEntry
    from cases.models import CaseTeamMember
    from firms.models import Firm, Membership, User
    from firms.tenancy import tenant_scope

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    email = benchdb.ASSOCIATE_EMAIL if args.who == "associate" else benchdb.PARTNER_EMAIL
    user = User.objects.get(email=email)
    url = args.url
    if "CASE" in url:
        with tenant_scope(None, platform=True):
            firm = Firm.objects.get(slug=benchdb.BIG_FIRM_SLUG)
        with tenant_scope(firm.pk):
            associate = Membership.objects.get(user__email=benchdb.ASSOCIATE_EMAIL)
            ids = CaseTeamMember.objects.filter(membership=associate).values_list("case_id", flat=True)
            heavy = (AuditEntry.objects.filter(firm_id=firm.pk, case_id__in=list(ids)).values("case_id")
                     .annotate(n=Count("id")).order_by("-n").first())
        url = url.replace("CASE", str(heavy["case_id"]))
    if "FEED" in url or "TEAM" in url:
        url = calendar_placeholders(url, user)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    accept = "application/json" if url.startswith("/api/") else "text/html"
    for _ in range(10):
        response = client.get(url, HTTP_ACCEPT=accept)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")

    if args.explain:
        explain_request(client, url, accept, user, args.explain)
        return
    database_ms = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            database_ms.append((time.perf_counter() - started) * 1000)

    profiler = cProfile.Profile()
    started = time.perf_counter()
    with connection.execute_wrapper(timer):
        profiler.enable()
        for _ in range(args.runs):
            client.get(url, HTTP_ACCEPT=accept)
        profiler.disable()
    total = (time.perf_counter() - started) * 1000 / args.runs
    in_db = sum(database_ms) / args.runs
    print(f"{url} as {args.who}: {total:.1f} ms per request under the profiler, of which {in_db:.1f} ms "
          f"waiting on {len(database_ms) // args.runs} queries (the profiler inflates Python time)")
    print(summary(profiler, args.runs))
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
        print(out.getvalue())


# (module path ending, function name) -> what it is, for the one-line summary of a profile
WATCHED = {
    ("django/template/base.py", "render", "Template"): "template rendering",
    ("django/template/loader_tags.py", "render", "IncludeNode"): "{% include %}",
    ("django/template/defaulttags.py", "render", "URLNode"): "{% url %}",
    ("django/utils/translation/trans_real.py", "gettext", None): "gettext",
    ("rest_framework/serializers.py", "to_representation", "Serializer"): "DRF to_representation",
    ("firms/access.py", "activate_request", None): "tenancy set-up (activate_request)",
}


def summary(profiler, runs: int) -> str:
    """Per request: share of time in templates / serializers / tenancy, and how many includes and urls."""
    import inspect

    stats = pstats.Stats(profiler).stats
    total = max((value[3] for value in stats.values()), default=0) or 1
    lines = []
    for (path, line, name), (_primitive, calls, _tottime, cumulative, _callers) in stats.items():
        for (ending, function, owner), label in WATCHED.items():
            if not path.endswith(ending) or name != function:
                continue
            if owner:
                module = sys.modules.get(ending[:-3].replace("/", "."))
                klass = getattr(module, owner, None)
                method = getattr(klass, function, None)
                if method is None or inspect.getsourcelines(method)[1] != line:
                    continue
            lines.append(f"  {label:36} {calls / runs:8.1f} calls  {100 * cumulative / total:5.1f} % of the time")
    return "per request, under the profiler:\n" + "\n".join(sorted(lines))


def calendar_placeholders(url: str, user) -> str:
    from audit.context import acting_as, system_actor
    from calendar_sync.feeds import tokens
    from firms.models import Firm, Membership, TeamMember
    from firms.tenancy import tenant_scope

    with tenant_scope(None, platform=True):
        firm = Firm.objects.get(slug=benchdb.BIG_FIRM_SLUG)
    with tenant_scope(firm.pk), acting_as(system_actor("bench")):
        membership = Membership.objects.get(user=user)
        if "FEED" in url:
            url = url.replace("FEED", tokens.feed_path(tokens.feed_secret_for(membership=membership)).lstrip("/"))
        partner = Membership.objects.get(user__email=benchdb.PARTNER_EMAIL)
        team = TeamMember.objects.filter(membership=partner).values_list("team_id", flat=True).first()
    return url.replace("TEAM", str(team))


def explain_request(client, url, accept, user, count) -> None:
    from django.db import connection

    from firms.models import Membership
    from firms.tenancy import tenant_scope

    captured = []

    def keep(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            captured.append((elapsed, connection.ops.last_executed_query(context["cursor"], sql, params)))

    with connection.execute_wrapper(keep):
        client.get(url, HTTP_ACCEPT=accept)
    with tenant_scope(None, user_id=user.pk):
        firm_id = Membership.objects.filter(user=user).values_list("firm_id", flat=True).first()
    selects = [(ms, q) for ms, q in captured if q.lstrip().upper().startswith("SELECT")
               and "set_config" not in q]
    for ms, query in sorted(selects, key=lambda item: -item[0])[:count]:
        with tenant_scope(firm_id, user_id=user.pk), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print(f"== {ms:.2f} ms in the request\n{query}\n\n{plan}\n")


if __name__ == "__main__":
    main()
