"""The scan as one SQL statement per firm and batch: which reminders are due now, for whom.

Set-based on purpose (the budget is 1 s over 100,000 upcoming deadlines): for each of the
firm's offsets, an index range scan on (firm, start) finds only the events whose
reminder at that offset falls due in the look-back window; nothing loops per event in
Python. The rows go in with ``ON CONFLICT`` on the unique key (firm, event, recipient,
offset), so a repeated scan, two beats at once, or a scan racing a send insert nothing
twice.

The rules are those of ``rules.py``:
- offsets come from the event's own ``reminder_offsets_minutes`` if it has them, else from
  the firm's ReminderSetting (the model's defaults without one);
- an all-day event and offset 0 count from 08:00 HKT on the event's day, a timed event
  from its start;
- of several offsets due inside the window for one event, only the latest is sent (an
  event made two days before a hearing gets "tomorrow", not also "in a week");
- nothing after a hearing has begun or a deadline's day has ended, nothing for a
  cancelled event or a deadline marked done;
- recipients: the owner and every attendee who is a member, if active;
- a deadline (filing, limitation) on a case, not done when its day ends, goes to the
  case's active supervisors (CaseTeamMember.is_supervisor), else its responsible partner.

A row already there is left alone unless the event moved (its due time differs) after
the reminder went out or gave up, or it was skipped and the scan finds it wanted again:
then it is armed again (status pending), so a hearing moved to next month is reminded
about again, once.
"""

from __future__ import annotations

import re
import weakref
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection

from calendar_sync.reminders import rules

SCAN_SQL = """
WITH offsets AS MATERIALIZED (
    -- Each offset with the range of starts whose reminder at that offset can be due in the
    -- window: the due time lies within [start - 16 h, start + 8 h] minus the offset (all-day
    -- events and "the morning of" count from 08:00). Computed here, so that the event scan
    -- below compares start with plain values (MATERIALIZED: not with the expressions, whose
    -- functions are not leakproof): an index range scan, even under row-level security.
    SELECT m,
           %(since)s + make_interval(mins => m) - %(morning)s::interval AS starts_after,
           %(now)s + make_interval(mins => m) + (interval '1 day' - %(morning)s::interval) AS starts_by
    FROM (SELECT DISTINCT m FROM unnest(coalesce(
              (SELECT s.offsets_minutes FROM calendar_sync_remindersetting s WHERE s.firm_id = %(firm)s),
              %(default_offsets)s::integer[])) AS m) offsets
    WHERE m >= 0
),
due AS (
    -- LATERAL … OFFSET 0: one index range scan on (firm_id, start) per offset, whatever the
    -- planner's statistics say (OFFSET 0 keeps it from flattening this into a join).
    SELECT e.id AS event_id, e.owner_id, o.m AS offset_minutes, e.due_at
    FROM offsets o
    CROSS JOIN LATERAL (
        SELECT e.id, e.owner_id,
               CASE WHEN e.all_day OR o.m = 0
                    THEN ((date_trunc('day', e.start AT TIME ZONE %(tz)s) + %(morning)s::interval)
                          AT TIME ZONE %(tz)s) - make_interval(mins => o.m)
                    ELSE e.start - make_interval(mins => o.m) END AS due_at,
               CASE WHEN e.all_day THEN e."end" ELSE e.start END AS too_late_at
        FROM calendar_sync_event e
        WHERE e.firm_id = %(firm)s AND e.start > o.starts_after AND e.start <= o.starts_by
          AND e.kind = ANY(%(reminded_kinds)s) AND e.status <> %(cancelled)s AND NOT e.is_done
          AND e.reminder_offsets_minutes IS NULL
        OFFSET 0
    ) e
    WHERE e.due_at > %(since)s AND e.due_at <= %(now)s AND %(now)s < e.too_late_at
    UNION ALL
    -- Events with offsets of their own (Event.reminder_offsets_minutes replaces the firm's):
    -- one range scan on the partial index event_own_reminders_idx, from the earliest start
    -- whose reminder at offset 0 can be due to the latest at the largest offset allowed.
    SELECT own.event_id, own.owner_id, own.offset_minutes, own.due_at
    FROM (
        SELECT e.id AS event_id, e.owner_id, o.m AS offset_minutes,
               CASE WHEN e.all_day OR o.m = 0
                    THEN ((date_trunc('day', e.start AT TIME ZONE %(tz)s) + %(morning)s::interval)
                          AT TIME ZONE %(tz)s) - make_interval(mins => o.m)
                    ELSE e.start - make_interval(mins => o.m) END AS due_at,
               CASE WHEN e.all_day THEN e."end" ELSE e.start END AS too_late_at
        FROM (
            SELECT e.id, e.owner_id, e.all_day, e.start, e."end", e.reminder_offsets_minutes
            FROM calendar_sync_event e
            WHERE e.firm_id = %(firm)s AND e.reminder_offsets_minutes IS NOT NULL
              AND e.start > %(own_starts_after)s AND e.start <= %(own_starts_by)s
              AND e.kind = ANY(%(reminded_kinds)s) AND e.status <> %(cancelled)s AND NOT e.is_done
            OFFSET 0
        ) e
        CROSS JOIN LATERAL (SELECT DISTINCT m FROM unnest(e.reminder_offsets_minutes) AS m
                            WHERE m >= 0) o
    ) own
    WHERE own.due_at > %(since)s AND own.due_at <= %(now)s AND %(now)s < own.too_late_at
),
latest AS (
    SELECT DISTINCT ON (event_id) event_id, owner_id, offset_minutes, due_at
    FROM due
    ORDER BY event_id, due_at DESC
),
reminders AS (
    SELECT l.event_id, p.membership_id, l.offset_minutes, l.due_at
    FROM latest l
    CROSS JOIN LATERAL (
        SELECT l.owner_id AS membership_id
        UNION
        SELECT a.membership_id FROM calendar_sync_eventattendee a
        WHERE a.firm_id = %(firm)s AND a.event_id = l.event_id AND a.membership_id IS NOT NULL
    ) p
),
missed AS (
    SELECT e.id AS event_id, e.case_id,
           (date_trunc('day', e.start AT TIME ZONE %(tz)s) + interval '1 day') AT TIME ZONE %(tz)s AS due_at
    FROM calendar_sync_event e
    WHERE e.firm_id = %(firm)s
      AND e.start > %(escalate_since)s - interval '1 day' AND e.start <= %(now)s
      AND e.kind = ANY(%(deadline_kinds)s) AND e.status <> %(cancelled)s AND NOT e.is_done
      AND e.case_id IS NOT NULL
),
escalations AS (
    SELECT m.event_id, s.membership_id, %(escalation)s::integer AS offset_minutes, m.due_at
    FROM missed m
    CROSS JOIN LATERAL (
        SELECT t.membership_id FROM cases_caseteammember t
        JOIN firms_membership sm ON sm.id = t.membership_id AND sm.is_active
        WHERE t.firm_id = %(firm)s AND t.case_id = m.case_id AND t.is_supervisor
        UNION ALL
        SELECT c.responsible_partner_id FROM cases_case c
        WHERE c.firm_id = %(firm)s AND c.id = m.case_id AND c.responsible_partner_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM cases_caseteammember t
                          JOIN firms_membership sm ON sm.id = t.membership_id AND sm.is_active
                          WHERE t.firm_id = %(firm)s AND t.case_id = m.case_id AND t.is_supervisor)
    ) s
    WHERE m.due_at <= %(now)s AND m.due_at > %(escalate_since)s
),
-- MATERIALIZED: the prepared statement's generic plan otherwise re-runs this for each of
-- the firm's members (300 times for a big firm: 0.9 s instead of 50 ms; docs/performance.md).
wanted AS MATERIALIZED (
    SELECT * FROM reminders UNION ALL SELECT * FROM escalations
)
INSERT INTO calendar_sync_reminderdelivery
    (firm_id, event_id, recipient_id, offset_minutes, due_at, status, attempts, last_error, created_at)
SELECT %(firm)s, w.event_id, w.membership_id, w.offset_minutes, w.due_at, %(pending)s, 0, '', %(now)s
FROM wanted w
JOIN firms_membership mem ON mem.id = w.membership_id AND mem.firm_id = %(firm)s AND mem.is_active
JOIN firms_user u ON u.id = mem.user_id AND u.is_active
WHERE NOT EXISTS (
    SELECT 1 FROM calendar_sync_reminderdelivery r
    WHERE r.firm_id = %(firm)s AND r.event_id = w.event_id AND r.recipient_id = w.membership_id
      AND r.offset_minutes = w.offset_minutes AND r.due_at = w.due_at AND r.status <> %(skipped)s)
ORDER BY w.due_at, w.event_id, w.membership_id
LIMIT %(batch)s
-- The unique index reminder_once_per_event_person_offset (an index, not a constraint).
ON CONFLICT (firm_id, event_id, recipient_id, offset_minutes) DO UPDATE
    SET due_at = EXCLUDED.due_at, status = EXCLUDED.status, attempts = 0, sent_at = NULL,
        last_error = '', created_at = EXCLUDED.created_at
    WHERE calendar_sync_reminderdelivery.status = %(skipped)s
       OR (calendar_sync_reminderdelivery.status IN (%(sent)s, %(failed)s)
           AND calendar_sync_reminderdelivery.due_at <> EXCLUDED.due_at)
RETURNING id
"""


# The statement is prepared once per database connection: planning it (1-2 ms, most of
# its cost for a firm with nothing due) would otherwise be paid for every firm, every minute.
PARAM_TYPES = {
    "firm": "bigint", "now": "timestamptz", "since": "timestamptz", "escalate_since": "timestamptz",
    "tz": "text", "morning": "interval", "default_offsets": "integer[]", "reminded_kinds": "text[]",
    "deadline_kinds": "text[]", "cancelled": "text", "escalation": "integer", "pending": "text",
    "sent": "text", "failed": "text", "skipped": "text", "batch": "bigint",
    "own_starts_after": "timestamptz", "own_starts_by": "timestamptz",
}
STATEMENT = "caseroom_reminder_scan"
PARAM_ORDER = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", SCAN_SQL)))
PREPARE_SQL = (f"PREPARE {STATEMENT} ({', '.join(PARAM_TYPES[name] for name in PARAM_ORDER)}) AS "
               + re.sub(r"%\((\w+)\)s", lambda m: f"${PARAM_ORDER.index(m.group(1)) + 1}", SCAN_SQL))
EXECUTE_SQL = f"EXECUTE {STATEMENT} ({', '.join(['%s'] * len(PARAM_ORDER))})"
_prepared_on: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def scan_params(*, firm_id: int, now: datetime, batch: int) -> dict:
    since = now - rules.scan_lookback()
    morning = timedelta(hours=rules.MORNING.hour, minutes=rules.MORNING.minute)
    return {
        "firm": firm_id,
        "now": now,
        "since": since,
        # A reminder is due between 16 h before the start (offset 0 of an event at 23:59) and
        # 8 h after it (an all-day event's 08:00), minus the offset: plain values here, so the
        # range compares start with parameters (an index range scan under row-level security).
        "own_starts_after": since - morning,
        "own_starts_by": now + timedelta(minutes=rules.MAX_OFFSET_MINUTES) + (timedelta(days=1) - morning),
        "escalate_since": now - rules.escalation_lookback(),
        "tz": settings.TIME_ZONE,
        "morning": f"{rules.MORNING.hour} hours {rules.MORNING.minute} minutes",
        "default_offsets": rules.default_offsets(),
        "reminded_kinds": [str(kind) for kind in rules.REMINDED_KINDS],
        "deadline_kinds": [str(kind) for kind in rules.DEADLINE_KINDS],
        "cancelled": rules.CANCELLED,
        "escalation": rules.ESCALATION_OFFSET,
        "pending": rules.PENDING,
        "sent": rules.SENT,
        "failed": rules.FAILED,
        "skipped": rules.SKIPPED,
        "batch": batch,
    }


def insert_due_deliveries(*, firm_id: int, now: datetime, batch: int) -> list[int]:
    """One batch for one firm, in the caller's transaction (and tenant scope): new or
    re-armed delivery ids, at most ``batch`` of them."""
    params = scan_params(firm_id=firm_id, now=now, batch=batch)
    with connection.cursor() as cursor:
        _prepare_once(cursor)
        cursor.execute(EXECUTE_SQL, [params[name] for name in PARAM_ORDER])
        return [row[0] for row in cursor.fetchall()]


def _prepare_once(cursor) -> None:
    """PREPARE outlives a rollback and lasts as long as the connection; a new connection
    (another psycopg object) prepares again."""
    raw = connection.connection
    if raw not in _prepared_on:
        cursor.execute(PREPARE_SQL)
        _prepared_on[raw] = True
