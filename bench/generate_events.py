"""Add calendar events to an existing bench database (made by ``generate.py``).

    .venv/bin/python -m devtools env-exec -- .venv/bin/python bench/generate_events.py [--replace]

ARCHITECTURE.md's dataset has 100,000 events; ``generate.py`` predates the calendar and
makes none. This step adds, to the big firm ``bench-big``: 100,000 events from now to a
year ahead (``--upcoming``) and some over the past year (``--past``, 40,000), and to
every small firm a few dozen. What a firm's calendar holds:

- filing deadlines on live cases, computed by the deadline engine from one of the
  firm's rules and a trigger date (``rule``, ``trigger_date``, ``computed_date``, the
  ``computation`` steps), all-day, the whole case team invited (as ``deadline_create``
  does); most past ones marked done;
- limitation dates (all-day, the case team);
- hearings in the case's court with a courtroom, 09:30–16:30, one lawyer appearing as
  counsel, the supervising partner often there; a few tentative;
- client meetings at the office or the client's;
- internal events: a weekly meeting per team and a monthly partners' meeting
  (``RRULE``), training and one-off meetings;
- leave: a few spells a person a year, no attendees.

A few events are cancelled (some lately, so feeds still carry them), most have been
changed a few times (``sequence``). The big firm's designated partner
(``bench.partner``) attends ~1,500 events a year, and their team gets half again as
many events per case as the others: the busy person and the busy team the benchmarks
use. The firm's default rules (deadline and limitation) are installed where missing
(``generate.py``'s firms are made after the migration that installs them) and each
firm gets a ``ReminderSetting`` (7 days, 1 day, the morning of; a few small firms
others).

Not made: audit entries for the events (the chain is about cases and sign-ins; event
audit entries would only lengthen it), CalDAV state, reminder deliveries (the scan
makes those), external attendees.

Loading as ``generate.py`` does: COPY into temporary staging tables, then one
``INSERT … SELECT`` per table in one transaction per firm with ``app.firm_id`` set, so
row-level security's WITH CHECK sees every row. Deterministic for a ``--seed`` and a
given moment ("now": events are placed around the time it runs). Refuses to run twice
(the database comment records the step); ``--replace`` deletes the calendar rows of
every bench firm first (events, attendees, reminder deliveries, CalDAV state, feed
tokens) and adds them again.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time as clock
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402
import psycopg  # noqa: E402
from generate import HK, counts_summing_to, say  # noqa: E402
from psycopg import sql  # noqa: E402

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.astimezone(HK).date()

EVENT_COLUMNS = ("id", "firm_id", "kind", "title", "case_id", "owner_id", "status", "all_day", "start", "end",
                 "court", "courtroom", "location", "notes", "rrule", "rule_id", "trigger_date", "computed_date",
                 "computation", "override_reason", "is_done", "accepted_conflicts", "uid", "sequence", "source",
                 "source_uid", "created_at", "updated_at")
ATTENDEE_COLUMNS = ("id", "firm_id", "event_id", "membership_id", "external_person_id", "is_counsel")
CALENDAR_TABLES = ("calendar_sync_event", "calendar_sync_eventattendee")
# Rows that point at events, deleted first by --replace (Django cascades in Python, not in SQL).
DEPENDENT_TABLES = ("calendar_sync_reminderdelivery", "calendar_sync_caldaveventstate", "calendar_sync_eventattendee")

# Share of a firm's case events by kind (hearings, deadlines …); the rest are not on a case.
CASE_KINDS = {"filing_deadline": 0.52, "hearing": 0.27, "client_meeting": 0.17, "limitation": 0.04}
NON_CASE_SHARE = 0.10  # internal events and leave, of the firm's events
BUSY_TEAM_FACTOR = 1.5  # the designated partner's team: events per case, against the others
BUSY_PERSON_TARGET = 1500  # events a year the designated partner attends

COURT_NAMES = {"CFI": "High Court", "CA": "High Court", "CFA": "Court of Final Appeal", "DC": "District Court",
               "SCT": "Small Claims Tribunal", "LT": "Labour Tribunal", "FC": "Family Court",
               "LDT": "Lands Tribunal"}
COURTROOMS = {
    "CFI": [f"Court {n}" for n in range(1, 40)] + [f"Master's Chambers, Room {n}" for n in (20, 21, 22, 23, 24)]
           + ["Chambers, 7/F", "Bankruptcy Court"],
    "DC": [f"Court {n}" for n in range(1, 44)] + ["Master's Chambers, 3/F"],
    "SCT": [f"Tribunal {n}" for n in range(1, 9)],
    "LT": [f"Court {n}" for n in range(1, 12)],
    "FC": [f"Court {n}" for n in range(1, 10)],
    "LDT": [f"Court {n}" for n in range(1, 5)],
}
HEARINGS = [  # title, minutes, weight
    ("Case management conference", 60, 6), ("Summons hearing", 45, 8), ("Directions hearing", 30, 5),
    ("Pre-trial review", 90, 3), ("Trial", 330, 2), ("Mention", 30, 6), ("Interlocutory application", 120, 4),
    ("Taxation hearing", 120, 1), ("Appeal hearing", 180, 1), ("Checklist review", 30, 3),
    ("Judgment hand-down", 30, 2), ("Case management summons", 45, 3),
]
MEETINGS = ["Meeting with client", "Client conference with counsel", "Settlement meeting", "Witness interview",
            "Client call: update on the case", "Mediation", "Without prejudice meeting", "Site visit"]
INTERNAL = ["Knowledge management lunch", "CPD: recent Court of Appeal decisions", "File review", "Billing review",
            "Training: e-discovery", "Risk and compliance briefing", "Trainee supervision", "Business development"]
LEAVE = ["Annual leave", "Annual leave", "Annual leave", "Study leave", "Sick leave", "Compassionate leave"]


@dataclass
class Person:
    id: int
    role: str
    team: int | None


@dataclass
class CaseInfo:
    id: int
    status: str
    court: str
    closed_on: date | None
    team: list[int]
    supervisors: list[int]
    busy: bool = False


@dataclass
class Plan:
    """One firm's rows, built in memory."""

    firm_id: int
    events: list[tuple] = field(default_factory=list)
    attendees: list[tuple] = field(default_factory=list)
    upcoming: int = 0
    past: int = 0


class Ids:
    def __init__(self, first: dict[str, int]):
        self.last = dict(first)

    def next(self, table: str) -> int:
        self.last[table] += 1
        return self.last[table]


class Builder:
    """Events for one firm: ``upcoming`` starting in the next year, ``past`` in the last."""

    def __init__(self, rng: random.Random, ids: Ids, firm_id: int, people: list[Person], cases: list[CaseInfo],
                 rules: list[dict], busy_partner: int | None):
        self.rng, self.ids, self.firm_id = rng, ids, firm_id
        self.people = {p.id: p for p in people}
        self.cases = cases
        self.rules = rules
        self.busy_partner = busy_partner
        self.plan = Plan(firm_id)
        self.teams: dict[int, list[int]] = defaultdict(list)
        for person in people:
            if person.team is not None:
                self.teams[person.team].append(person.id)
        self.partners = [p.id for p in people if p.role == "partner"]
        self._computed: dict[tuple, tuple] = {}

    # --- rows --------------------------------------------------------------------------

    def add(self, *, kind, title, owner, start, end, case=None, all_day=False, status="confirmed", court="",
            courtroom="", location="", notes="", rrule="", rule=None, trigger=None, computed=None,
            computation=None, is_done=False, attendees=(), counsel=()) -> int:
        rng = self.rng
        event_id = self.ids.next("calendar_sync_event")
        # Made a while before it happens (deadlines: when their trigger came), changed a few times.
        made = min(NOW - timedelta(minutes=5), start - timedelta(days=rng.randint(1, 90), seconds=rng.randrange(86400)))
        if trigger is not None:
            made = min(NOW - timedelta(minutes=5), datetime.combine(trigger, time(10), tzinfo=HK) + timedelta(
                seconds=rng.randrange(8 * 3600)))
        sequence = rng.choices([0, 1, 2, 3, 5], [45, 30, 15, 7, 3])[0]
        changed = made if sequence == 0 else made + (NOW - made) * rng.random() ** 2
        if status == "cancelled":
            sequence += 1
            changed = NOW - timedelta(days=rng.randint(0, 120), seconds=rng.randrange(86400))
            changed = max(changed, made)
        uid = f"{uuid.UUID(int=rng.getrandbits(128), version=4)}@caseroom"
        self.plan.events.append((
            event_id, self.firm_id, kind, title, case.id if case else None, owner, status, all_day,
            start, end, court, courtroom, location, notes, rrule, rule["id"] if rule else None, trigger,
            computed, json.dumps(computation or [], ensure_ascii=False), "", is_done, "[]", uid, sequence, "", "",
            made, changed))
        for membership in dict.fromkeys([owner, *attendees, *counsel]):
            self.plan.attendees.append((self.ids.next("calendar_sync_eventattendee"), self.firm_id, event_id,
                                        membership, None, membership in counsel))
        if start >= NOW or rrule:  # a rule still running repeats in the coming year
            self.plan.upcoming += 1
        else:
            self.plan.past += 1
        return event_id

    # --- when ---------------------------------------------------------------------------

    def day_in(self, first: date, last: date, *, weekdays_only=True) -> date:
        while True:
            day = first + timedelta(days=self.rng.randrange((last - first).days + 1))
            if not weekdays_only or day.weekday() < 5:
                return day

    def window(self, upcoming: bool, case: CaseInfo | None = None) -> tuple[date, date]:
        if upcoming:
            return TODAY + timedelta(days=1), TODAY + timedelta(days=365)
        last = TODAY - timedelta(days=1)
        if case is not None and case.closed_on is not None:
            last = min(last, case.closed_on)
        return TODAY - timedelta(days=365), last

    @staticmethod
    def at(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=HK).astimezone(UTC)

    @staticmethod
    def whole_days(first: date, last: date) -> tuple[datetime, datetime]:
        return (datetime.combine(first, time.min, tzinfo=HK).astimezone(UTC),
                datetime.combine(last + timedelta(days=1), time.min, tzinfo=HK).astimezone(UTC))

    # --- who ----------------------------------------------------------------------------

    def case_people(self, case: CaseInfo) -> list[int]:
        return [m for m in case.team if m in self.people] or [self.rng.choice(self.partners)]

    def lawyer(self, case: CaseInfo) -> int:
        people = self.case_people(case)
        lawyers = [m for m in people if self.people[m].role in ("associate", "partner")]
        return self.rng.choice(lawyers or people)

    def owner_for(self, case: CaseInfo) -> int:
        people = self.case_people(case)
        doers = [m for m in people if self.people[m].role in ("associate", "trainee", "paralegal")]
        return self.rng.choice(doers or people)

    # --- what ---------------------------------------------------------------------------

    def deadline(self, case: CaseInfo, upcoming: bool) -> None:
        from calendar_sync.deadlines.engine import Period, compute
        from calendar_sync.models import DeadlineRule

        rng = self.rng
        first, last = self.window(upcoming, case)
        if last < first:
            return
        rule = rng.choice(self.rules)
        court = rule["court"] if rule["court"] in ("HC", "DC") else {"CFI": "HC", "DC": "DC"}.get(case.court)
        length = rule["months"] * 31 + rule["days"]
        for _attempt in range(20):
            trigger = self.day_in(first - timedelta(days=length), last - timedelta(days=min(length, 3)))
            key = (rule["code"], trigger, court)
            if key not in self._computed:
                period = Period(days=rule["days"], months=rule["months"], clear_days=rule["clear_days"],
                                before=rule["before"], court_office=rule["court_office"], pleading=rule["pleading"],
                                court=court)
                result = compute(period, trigger, self.calendar(), rule=_RuleLike(rule))
                self._computed[key] = (result.due, result.steps)
            due, steps = self._computed[key]
            if first <= due <= last:
                break
        else:
            return
        start, end = self.whole_days(due, due)
        team = self.case_people(case)
        done = rng.random() < (0.93 if not upcoming else 0.04 if (due - TODAY).days < 14 else 0.0)
        self.add(kind="filing_deadline", title=rule["name"], owner=self.owner_for(case), case=case, all_day=True,
                 start=start, end=end, court=str(DeadlineRule.Court(court).label) if court else "",
                 notes=rule["citation"], rule=rule, trigger=trigger, computed=due, computation=steps,
                 is_done=done, attendees=team, status=self.status(0.02, 0.0))

    _calendar = None

    @classmethod
    def calendar(cls):
        from calendar_sync.deadlines.holidays import CourtCalendar

        if cls._calendar is None:
            cls._calendar = CourtCalendar()
        return cls._calendar

    def limitation(self, case: CaseInfo, upcoming: bool) -> None:
        first, last = self.window(upcoming, case)
        if last < first:
            return
        day = self.day_in(first, last)
        cause = self.rng.choice(LIMITATION_CAUSES)
        start, end = self.whole_days(day, day)
        self.add(kind="limitation", title=f"Limitation: {cause[0]}", owner=self.owner_for(case), case=case,
                 all_day=True, start=start, end=end, notes=cause[1], attendees=self.case_people(case),
                 is_done=not upcoming and self.rng.random() < 0.8, status=self.status(0.01, 0.0))

    def hearing(self, case: CaseInfo, upcoming: bool) -> None:
        rng = self.rng
        first, last = self.window(upcoming, case)
        if last < first:
            return
        title, minutes, _weight = rng.choices(HEARINGS, [h[2] for h in HEARINGS])[0]
        day = self.day_in(first, last)
        hour, minute = rng.choice([(9, 30), (10, 0), (10, 0), (11, 0), (12, 0), (14, 30), (14, 30), (15, 0)])
        if minutes > 240:
            hour, minute = 10, 0
        start = self.at(day, hour, minute)
        end = start + timedelta(minutes=minutes)
        court = case.court if case.court in COURTROOMS else "CFI"
        people = self.case_people(case)
        appearing = self.lawyer(case)
        attendees = [m for m in people if m in case.supervisors and rng.random() < 0.55]
        attendees += rng.sample(people, min(len(people), rng.choice([0, 1, 1, 2])))
        self.add(kind="hearing", title=title, owner=self.owner_for(case), case=case, start=start, end=end,
                 court=COURT_NAMES.get(court, "High Court"), courtroom=rng.choice(COURTROOMS[court]),
                 attendees=attendees, counsel=[appearing], status=self.status(0.03, 0.06))

    def meeting(self, case: CaseInfo, upcoming: bool) -> None:
        rng = self.rng
        first, last = self.window(upcoming, case)
        if last < first:
            return
        day = self.day_in(first, last)
        start = self.at(day, rng.randint(9, 17), rng.choice([0, 0, 30]))
        people = self.case_people(case)
        attendees = rng.sample(people, min(len(people), rng.choice([1, 1, 2])))
        self.add(kind="client_meeting", title=rng.choice(MEETINGS), owner=self.lawyer(case), case=case, start=start,
                 end=start + timedelta(minutes=rng.choice([30, 60, 60, 90, 120])),
                 location=rng.choice(["Our office, meeting room 2", "Our office, meeting room 5", "Client's office",
                                      "By video call", "Counsel's chambers", ""]),
                 attendees=attendees, status=self.status(0.04, 0.08))

    def status(self, cancelled: float, tentative: float) -> str:
        roll = self.rng.random()
        return "cancelled" if roll < cancelled else "tentative" if roll < cancelled + tentative else "confirmed"

    def repeating(self) -> None:
        """A weekly meeting per team, the partners' monthly meeting: begun long ago, still running."""
        for _team, members in sorted(self.teams.items()):
            day = TODAY - timedelta(days=self.rng.randint(200, 900))
            day -= timedelta(days=day.weekday())  # a Monday
            start = self.at(day, 9, 0)
            self.add(kind="internal", title="Team meeting", owner=members[0], start=start,
                     end=start + timedelta(minutes=45), rrule="FREQ=WEEKLY;BYDAY=MO",
                     location="Our office, meeting room 1", attendees=members)
        if len(self.partners) > 1:
            day = TODAY - timedelta(days=400)
            start = self.at(day.replace(day=1), 18, 0)
            self.add(kind="internal", title="Partners' meeting", owner=self.partners[0], start=start,
                     end=start + timedelta(hours=1), rrule="FREQ=MONTHLY;BYDAY=1TU", attendees=self.partners)

    def internal(self, upcoming: bool) -> None:
        rng = self.rng
        day = self.day_in(*self.window(upcoming))
        start = self.at(day, rng.choice([9, 12, 13, 16, 17]), rng.choice([0, 30]))
        everyone = list(self.people)
        attendees = rng.sample(everyone, min(len(everyone), rng.randint(2, 12)))
        self.add(kind="internal", title=rng.choice(INTERNAL), owner=attendees[0], start=start,
                 end=start + timedelta(minutes=rng.choice([30, 60, 90])), attendees=attendees[1:],
                 status=self.status(0.03, 0.05))

    def leave(self, upcoming: bool) -> None:
        rng = self.rng
        day = self.day_in(*self.window(upcoming))
        start, end = self.whole_days(day, day + timedelta(days=rng.choice([0, 0, 1, 2, 4, 6, 9])))
        self.add(kind="leave", title=rng.choice(LEAVE), owner=rng.choice(list(self.people)), start=start, end=end,
                 all_day=True, status=self.status(0.02, 0.0))

    # --- a firm ---------------------------------------------------------------------------

    def build(self, upcoming: int, past: int) -> Plan:
        """``upcoming`` events in the coming year (the repeating ones included), ``past`` in the last."""
        self.repeating()
        for number, is_upcoming in ((upcoming - self.plan.upcoming, True), (past, False)):
            non_case = int(number * NON_CASE_SHARE)
            leave = min(non_case // 3, len(self.people) * (3 if is_upcoming else 2))
            for _ in range(leave):
                self.leave(is_upcoming)
            for _ in range(non_case - leave):
                self.internal(is_upcoming)
            self.case_events(number - non_case, is_upcoming)
        # A deadline whose computed date falls outside the window is not made: top up to the counts.
        live = [c for c in self.cases if c.status != "closed"] or self.cases
        for target, is_upcoming, made in ((upcoming, True, lambda: self.plan.upcoming),
                                          (upcoming + past, False, lambda: self.plan.upcoming + self.plan.past)):
            while made() < target and live:
                self.hearing(self.rng.choice(live), is_upcoming)
        return self.plan

    def case_events(self, total: int, upcoming: bool) -> None:
        rng = self.rng
        if upcoming:
            cases = [c for c in self.cases if c.status != "closed"]
        else:
            since = TODAY - timedelta(days=365)
            cases = [c for c in self.cases if c.status != "closed" or (c.closed_on and c.closed_on >= since)]
        if not cases:
            return
        weights = [BUSY_TEAM_FACTOR if c.busy else 1.0 for c in cases]
        # Gamma-distributed per case (a few very busy cases), scaled by the busy team's factor.
        raw = counts_summing_to(rng, len(cases), total * 4, 1.5)
        scaled = [r * w for r, w in zip(raw, weights, strict=True)]
        factor = total / max(1e-9, sum(scaled))
        counts = [int(value * factor) for value in scaled]
        for _ in range(total - sum(counts)):
            counts[rng.randrange(len(counts))] += 1
        makers = {"filing_deadline": self.deadline, "hearing": self.hearing, "client_meeting": self.meeting,
                  "limitation": self.limitation}
        kinds, shares = list(CASE_KINDS), list(CASE_KINDS.values())
        for case, count in zip(cases, counts, strict=True):
            for kind in rng.choices(kinds, shares, k=count):
                makers[kind](case, upcoming)


class _RuleLike:
    def __init__(self, rule: dict):
        self.name, self.citation, self.trigger, self.code = rule["name"], rule["citation"], rule["trigger"], rule["code"]


LIMITATION_CAUSES = [
    ("contract (6 years)", "Cap. 347 s.4(1)(a)"), ("tort (6 years)", "Cap. 347 s.4(1)(a)"),
    ("personal injuries (3 years)", "Cap. 347 s.27"), ("fatal accident (3 years)", "Cap. 347 s.28"),
    ("action on a deed (12 years)", "Cap. 347 s.4(3)"), ("latent damage (3 years from knowledge)", "Cap. 347 s.31"),
]


def balance_busy_partner(plan: Plan, partner: int, target: int, rng: random.Random, ids: Ids) -> int:
    """Bring the partner's upcoming events to ``target``: drop them from deadlines they only
    attend, or add them to hearings of their cases. Returns how many they now attend."""
    upcoming_ids = {row[0] for row in plan.events if row[8] >= NOW and not row[14]}
    kinds = {row[0]: row[2] for row in plan.events}
    owners = {row[0]: row[5] for row in plan.events}
    attending = [a for a in plan.attendees if a[3] == partner and a[2] in upcoming_ids]
    count = len(attending)
    if count > target:
        droppable = [a for a in attending if owners[a[2]] != partner and not a[5]]
        rng.shuffle(droppable)
        drop = {a[0] for a in droppable[: count - target]}
        plan.attendees = [a for a in plan.attendees if a[0] not in drop]
        count -= len(drop)
    elif count < target:
        attended = {a[2] for a in attending}
        cases = {row[0]: row[4] for row in plan.events}
        theirs = {a[2] for a in plan.attendees if a[3] == partner}
        partner_cases = {cases[e] for e in theirs if cases[e]}
        candidates = [e for e in upcoming_ids if e not in attended and cases[e] in partner_cases
                      and kinds[e] in ("hearing", "client_meeting")]
        rng.shuffle(candidates)
        for event_id in candidates[: target - count]:
            plan.attendees.append((ids.next("calendar_sync_eventattendee"), plan.firm_id, event_id, partner, None,
                                   False))
            count += 1
    return count


# --- reading the bench database -----------------------------------------------------------


def firm_rows(conn, firm_id: int):
    conn.execute("SELECT set_config('app.firm_id', %s, false)", [str(firm_id)])
    people = conn.execute(
        "SELECT m.id, m.role, (SELECT t.team_id FROM firms_teammember t WHERE t.membership_id = m.id "
        "ORDER BY t.id LIMIT 1) FROM firms_membership m WHERE m.firm_id = %s AND m.is_active ORDER BY m.id",
        [firm_id]).fetchall()
    team = defaultdict(list)
    supervisors = defaultdict(list)
    for case_id, membership_id, is_supervisor in conn.execute(
            "SELECT case_id, membership_id, is_supervisor FROM cases_caseteammember WHERE firm_id = %s "
            "ORDER BY id", [firm_id]):
        team[case_id].append(membership_id)
        if is_supervisor:
            supervisors[case_id].append(membership_id)
    cases = [CaseInfo(case_id, status, court or "", closed_on, team[case_id], supervisors[case_id])
             for case_id, status, court, closed_on in conn.execute(
                 "SELECT id, status, court, closed_on FROM cases_case WHERE firm_id = %s ORDER BY id", [firm_id])]
    rules = [dict(zip(("id", "code", "name", "citation", "trigger", "days", "months", "clear_days", "before",
                       "court_office", "pleading", "court"), row, strict=True))
             for row in conn.execute(
                 "SELECT id, code, name, citation, trigger, days, months, clear_days, before, court_office, "
                 "pleading, court FROM calendar_sync_deadlinerule WHERE firm_id = %s AND is_active ORDER BY id",
                 [firm_id])]
    conn.execute("SELECT set_config('app.firm_id', '', false)")
    return [Person(*row) for row in people], cases, rules


def install_rules(conn, firm_ids: list[int]) -> int:
    """The default deadline and limitation rules, for firms that lack them (one INSERT a firm)."""
    from calendar_sync.data.deadline_rules import DEFAULT_DEADLINE_RULES
    from calendar_sync.data.limitation_rules import DEFAULT_LIMITATION_RULES

    deadline_fields = ("code", "name", "name_zh", "citation", "trigger", "days", "months", "clear_days", "before",
                       "court_office", "pleading", "court", "notes")
    limitation_fields = ("code", "name", "name_zh", "citation", "years", "counted_from", "caution")
    installed = 0
    for firm_id in firm_ids:
        with conn.transaction():
            conn.execute("SELECT set_config('app.firm_id', %s, true)", [str(firm_id)])
            if conn.execute("SELECT 1 FROM calendar_sync_deadlinerule WHERE firm_id = %s LIMIT 1",
                            [firm_id]).fetchone():
                continue
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO calendar_sync_deadlinerule (firm_id, is_active, "
                    + ", ".join(deadline_fields) + ") VALUES (%s, true, " + ", ".join(["%s"] * len(deadline_fields))
                    + ")", [(firm_id, *(rule[f] for f in deadline_fields)) for rule in DEFAULT_DEADLINE_RULES])
                cursor.executemany(
                    "INSERT INTO calendar_sync_limitationrule (firm_id, " + ", ".join(limitation_fields)
                    + ") VALUES (%s, " + ", ".join(["%s"] * len(limitation_fields)) + ")",
                    [(firm_id, *(rule.get(f, "") for f in limitation_fields)) for rule in DEFAULT_LIMITATION_RULES])
            installed += 1
    return installed


def reminder_settings(conn, firm_ids: list[int], rng: random.Random) -> None:
    others = [[2 * 24 * 60, 0], [14 * 24 * 60, 7 * 24 * 60, 24 * 60, 0], [3 * 24 * 60, 24 * 60, 120]]
    for index, firm_id in enumerate(firm_ids):
        offsets = [7 * 24 * 60, 24 * 60, 0] if index == 0 or rng.random() < 0.85 else rng.choice(others)
        with conn.transaction():
            conn.execute("SELECT set_config('app.firm_id', %s, true)", [str(firm_id)])
            conn.execute("INSERT INTO calendar_sync_remindersetting (firm_id, offsets_minutes) VALUES (%s, %s) "
                         "ON CONFLICT DO NOTHING", [firm_id, offsets])


# --- loading -----------------------------------------------------------------------------


def extra_columns(conn, table: str, columns: tuple[str, ...]) -> list[tuple[str, object]]:
    """Columns added since this script was written that need a value: NOT NULL without a
    database default. They get their Django field's default (a new Event column will have one)."""
    from django.apps import apps

    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    fields = {f.column: f for f in model._meta.concrete_fields}
    missing = []
    for name, nullable, default in conn.execute(
            "SELECT column_name, is_nullable, column_default FROM information_schema.columns "
            "WHERE table_name = %s AND table_schema = current_schema()", [table]).fetchall():
        if name in columns or nullable == "YES" or default is not None:
            continue
        field_ = fields.get(name)
        if field_ is None or not field_.has_default():
            raise SystemExit(f"{table}.{name} is NOT NULL without a default: teach bench/generate_events.py it")
        value = field_.get_default()
        if isinstance(value, (dict, list)) and field_.get_internal_type() == "JSONField":
            value = json.dumps(value)
        missing.append((name, value))
    return missing


def load(conn, plan: Plan) -> None:
    """One transaction, as the firm: COPY to staging, INSERT … SELECT into the tables."""
    with conn.transaction():
        conn.execute("SELECT set_config('app.firm_id', %s, true)", [str(plan.firm_id)])
        for table, columns, rows in (("calendar_sync_event", EVENT_COLUMNS, plan.events),
                                     ("calendar_sync_eventattendee", ATTENDEE_COLUMNS, plan.attendees)):
            extra = extra_columns(conn, table, columns)
            names = [*columns, *(name for name, _value in extra)]
            identifiers = sql.SQL(", ").join(map(sql.Identifier, names))
            with conn.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(f"stage_{table}"), identifiers)) as copy:
                tail = tuple(value for _name, value in extra)
                for row in rows:
                    copy.write_row(row + tail)
            conn.execute(sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {}").format(
                sql.Identifier(table), identifiers, identifiers, sql.Identifier(f"stage_{table}")))


def delete_calendar(conn, firm_ids: list[int]) -> None:
    for firm_id in firm_ids:
        with conn.transaction():
            conn.execute("SELECT set_config('app.firm_id', %s, true)", [str(firm_id)])
            for table in DEPENDENT_TABLES:
                conn.execute(sql.SQL("DELETE FROM {} WHERE firm_id = %s").format(sql.Identifier(table)), [firm_id])
            conn.execute("DELETE FROM calendar_sync_feedtoken WHERE firm_id = %s", [firm_id])
            conn.execute("DELETE FROM calendar_sync_event WHERE firm_id = %s", [firm_id])


def main() -> None:  # noqa: C901 - a script, read top to bottom
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help=f"bench database name (default {benchdb.DEFAULT_DATABASE})")
    parser.add_argument("--upcoming", type=int, default=100_000, help="big firm: events in the next year")
    parser.add_argument("--past", type=int, default=40_000, help="big firm: events in the past year")
    parser.add_argument("--small", type=int, default=30, help="events a small firm gets (two thirds upcoming)")
    parser.add_argument("--replace", action="store_true", help="delete the bench firms' calendar rows first")
    parser.add_argument("--seed", type=int, default=20251126)
    args = parser.parse_args()
    began = clock.perf_counter()
    name = benchdb.database_name(args.database)
    _app_url, owner_url = benchdb.point_django_at(name)
    import django

    django.setup()

    rng = random.Random(args.seed)
    with psycopg.connect(owner_url, autocommit=True) as conn:
        comment = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                               [name]).fetchone()
        if not comment or not comment[0]:
            raise SystemExit(f"{name} has no complete dataset: run bench/generate.py first")
        summary = json.loads(comment[0])
        conn.execute("SELECT set_config('app.platform', 'on', false)")
        firms = conn.execute("SELECT id, slug FROM firms_firm WHERE slug LIKE 'bench-%%' ORDER BY id").fetchall()
        firm_ids = [firm_id for firm_id, _slug in firms]
        big_id = next(firm_id for firm_id, slug in firms if slug == benchdb.BIG_FIRM_SLUG)
        if "calendar" in summary and not args.replace:
            raise SystemExit(f"{name} has its events already ({summary['calendar']['generated_at']}); "
                             f"--replace deletes them and adds them again")
        if args.replace:
            delete_calendar(conn, firm_ids)
            say("deleted the bench firms' calendar rows", began)
        else:
            for firm_id in (big_id, firm_ids[-1]):
                conn.execute("SELECT set_config('app.firm_id', %s, false)", [str(firm_id)])
                if conn.execute("SELECT 1 FROM calendar_sync_event LIMIT 1").fetchone():
                    raise SystemExit(f"firm {firm_id} has events already (an earlier run stopped part-way?); "
                                     "use --replace")
            conn.execute("SELECT set_config('app.firm_id', '', false)")
        installed = install_rules(conn, firm_ids)
        reminder_settings(conn, firm_ids, random.Random(args.seed))
        say(f"default deadline and limitation rules installed in {installed} firms; reminder settings made", began)

        conn.execute("SELECT set_config('app.firm_id', %s, false)", [str(big_id)])
        partner = conn.execute("SELECT m.id FROM firms_membership m JOIN firms_user u ON u.id = m.user_id "
                               "WHERE u.email = %s", [benchdb.PARTNER_EMAIL]).fetchone()[0]
        conn.execute("SELECT set_config('app.firm_id', '', false)")
        first_ids = {}
        for table in CALENDAR_TABLES:
            first_ids[table] = conn.execute(sql.SQL("SELECT coalesce(max(id), 0) + 1000 FROM {}").format(
                sql.Identifier(table))).fetchone()[0]
        ids = Ids(first_ids)
        with conn.transaction():
            for table in CALENDAR_TABLES:
                conn.execute(sql.SQL("CREATE TEMP TABLE {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS").format(
                    sql.Identifier(f"stage_{table}"), sql.Identifier(table)))

        totals = {"events": 0, "attendees": 0, "upcoming": 0, "past": 0}
        big = {}
        for index, firm_id in enumerate(firm_ids):
            people, cases, rules = firm_rows(conn, firm_id)
            if firm_id == big_id:
                busy_team = next(p.team for p in people if p.id == partner)
                busy_members = {p.id for p in people if p.team == busy_team}
                for case in cases:
                    case.busy = bool(set(case.supervisors) & busy_members)
                builder = Builder(rng, ids, firm_id, people, cases, rules, partner)
                plan = builder.build(args.upcoming, args.past)
                attends = balance_busy_partner(plan, partner, BUSY_PERSON_TARGET, rng, ids)
                say(f"big firm built: {len(plan.events):,} events ({plan.upcoming:,} upcoming, {plan.past:,} past), "
                    f"{len(plan.attendees):,} attendees; the partner attends {attends:,} upcoming", began)
                big = {"events": len(plan.events), "upcoming": plan.upcoming, "past": plan.past,
                       "attendees": len(plan.attendees), "busy_partner_membership": partner,
                       "busy_partner_upcoming": attends, "busy_team": busy_team,
                       "by_kind": dict(sorted(_count(row[2] for row in plan.events).items())),
                       "repeating": sum(1 for row in plan.events if row[14])}
            else:
                builder = Builder(rng, ids, firm_id, people, cases, rules, None)
                plan = builder.build(args.small * 2 // 3, args.small - args.small * 2 // 3)
            load(conn, plan)
            for key, value in (("events", len(plan.events)), ("attendees", len(plan.attendees)),
                               ("upcoming", plan.upcoming), ("past", plan.past)):
                totals[key] += value
            if firm_id == big_id or (index + 1) % 50 == 0:
                say(f"loaded {index + 1}/{len(firm_ids)} firms ({totals['events']:,} events)", began)

        for table in CALENDAR_TABLES:
            conn.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, ids.last[table]])
        say("VACUUM ANALYZE of the calendar tables", began)
        for table in (*CALENDAR_TABLES, "calendar_sync_deadlinerule", "calendar_sync_remindersetting"):
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
        summary["calendar"] = {"generated_at": NOW.isoformat(), "seed": args.seed,
                               "seconds": round(clock.perf_counter() - began), "big_firm": big,
                               "all_firms": totals}
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
            sql.Identifier(name), sql.Literal(json.dumps(summary))))
    say("done", began)
    print(json.dumps(summary["calendar"], indent=1))


def _count(values) -> dict:
    counts: dict = defaultdict(int)
    for value in values:
        counts[value] += 1
    return counts


if __name__ == "__main__":
    main()
