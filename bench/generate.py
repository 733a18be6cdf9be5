"""Build the benchmark dataset in its own database (``caseroom_bench``).

    .venv/bin/python -m devtools env-exec -- .venv/bin/python bench/generate.py [--scale 0.1] [--recreate]

What ARCHITECTURE.md's speed budgets are measured on: one big firm ("bench-big") with
300 people in 20 teams, 20,000 cases (2–4 parties each with English and Chinese names,
case teams of 2–5, Hong Kong court numbers), 200,000 tasks in trees up to three deep,
notes with @mentions, notifications, and 1,000,000 audit entries in a valid hash
chain, most of them about a case; plus 200 smaller firms (5–20 people, 20–200 cases).
``--scale`` multiplies cases, tasks, notes, audit entries and the number of small
firms (people stay as they are).

How it loads: the database is created by the owner role and migrated with
``manage.py migrate --database=owner``. Row-level security is FORCEd on every firm
table, and PostgreSQL refuses ``COPY FROM`` into such a table, so each firm's rows
are COPYed into session-temporary staging tables (no RLS) and moved with one
``INSERT … SELECT`` per table, in one transaction per firm that has
``set_config('app.firm_id', …)``: the policies' WITH CHECK sees every row. Audit
hashes are computed here with ``audit.chain.entry_hash``, in chain order, so
``audit_verify`` passes. Ends with VACUUM ANALYZE.

The run is deterministic for a given ``--seed`` and ``--scale``. It refuses to run
over an existing bench database unless ``--recreate`` (which drops it first).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402
import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

HK = ZoneInfo("Asia/Hong_Kong")
NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.astimezone(HK).date()

# --- names ---------------------------------------------------------------------------

SURNAMES = [
    ("CHAN", "陳"), ("WONG", "黃"), ("LEE", "李"), ("CHEUNG", "張"), ("LAU", "劉"), ("LEUNG", "梁"),
    ("NG", "吳"), ("HO", "何"), ("LAM", "林"), ("TSANG", "曾"), ("YEUNG", "楊"), ("CHOW", "周"),
    ("TSE", "謝"), ("KWOK", "郭"), ("MAK", "麥"), ("FUNG", "馮"), ("TANG", "鄧"), ("LO", "羅"),
    ("CHU", "朱"), ("YIP", "葉"), ("POON", "潘"), ("SO", "蘇"), ("LUI", "呂"), ("KWAN", "關"),
    ("TAM", "譚"), ("CHOI", "蔡"), ("SIU", "蕭"), ("TO", "杜"), ("LAI", "黎"), ("MA", "馬"),
    ("YU", "余"), ("CHIU", "趙"), ("FONG", "方"), ("KONG", "江"), ("CHENG", "鄭"), ("HUI", "許"),
    ("AU", "區"), ("KO", "高"), ("WAN", "溫"), ("YUEN", "袁"),
]
GIVEN = [
    ("Tai", "大"), ("Man", "文"), ("Siu", "小"), ("Ming", "明"), ("Wai", "偉"), ("Kin", "健"),
    ("Ka", "嘉"), ("Yan", "欣"), ("Chi", "志"), ("Keung", "強"), ("Fong", "芳"), ("Mei", "美"),
    ("Ho", "浩"), ("Wing", "榮"), ("Hung", "雄"), ("Yee", "儀"), ("Kwok", "國"), ("Fat", "發"),
    ("Kit", "傑"), ("Ling", "玲"), ("Hoi", "凱"), ("Chun", "俊"), ("Lok", "樂"), ("Sze", "詩"),
    ("Tsz", "子"), ("Yuen", "源"), ("Pui", "佩"), ("Shing", "成"), ("Kei", "基"), ("Wah", "華"),
    ("Lai", "麗"), ("Sum", "心"), ("Yiu", "耀"), ("Hin", "軒"), ("Long", "朗"), ("On", "安"),
]
WESTERN = ["Peter", "Mary", "David", "Karen", "Michael", "Winnie", "Jason", "Cindy", "Eric", "Queenie",
           "Raymond", "Ivy", "Kelvin", "Phoebe", "Alan", "Joyce", "Vincent", "Gloria", "Tony", "Cherry"]
COMPANY_A = [
    ("Wing Fat", "永發"), ("Golden Harbour", "金港"), ("Pacific Crest", "太平峰"), ("Sunrise", "旭日"),
    ("Dragon Pearl", "龍珠"), ("Victoria Peak", "維峰"), ("Kowloon Bay", "九龍灣"), ("Lucky Star", "福星"),
    ("Great Wall", "長城"), ("Jade Garden", "翠園"), ("Silver Bay", "銀灣"), ("Oriental", "東方"),
    ("Prosperity", "興盛"), ("Evergreen", "長青"), ("Harmony", "和諧"), ("Fortune", "富運"),
    ("Tai Ping", "太平"), ("On Lee", "安利"), ("Man Kee", "文記"), ("Chung Hing", "中興"),
    ("Tsim Sha Tsui", "尖沙咀"), ("Lion Rock", "獅子山"), ("Star Ferry", "天星"), ("Peninsula", "半島"),
    ("Hang Fung", "恒豐"), ("Kam Wah", "金華"), ("Sun Hing", "新興"), ("Yau Tong", "油塘"),
]
COMPANY_B = [
    ("Trading", "貿易"), ("Shipping", "航運"), ("Property Management", "物業管理"), ("Logistics", "物流"),
    ("Holdings", "控股"), ("Investments", "投資"), ("Engineering", "工程"), ("Construction", "建築"),
    ("Finance", "財務"), ("Textiles", "紡織"), ("Electronics", "電子"), ("Development", "發展"),
    ("Securities", "證券"), ("Restaurant Group", "飲食集團"), ("Garments", "製衣"), ("Jewellery", "珠寶"),
]
COMPANY_SUFFIX = [(" Ltd", "有限公司"), (" (HK) Ltd", "（香港）有限公司"), (" Co Ltd", "有限公司")]

TEAMS = [  # name, Chinese, code, main practice area
    ("Commercial Litigation 1", "商業訴訟一組", "CL", "commercial"),
    ("Commercial Litigation 2", "商業訴訟二組", "CM", "commercial"),
    ("Civil Litigation 1", "民事訴訟一組", "CV", "civil"),
    ("Civil Litigation 2", "民事訴訟二組", "CW", "civil"),
    ("Personal Injury", "人身傷亡", "PI", "personal_injury"),
    ("Employment", "僱傭", "EM", "employment"),
    ("Family", "家事", "FM", "family"),
    ("Probate and Trusts", "遺產及信託", "PB", "probate"),
    ("Property Litigation", "物業訴訟", "PL", "property"),
    ("Conveyancing", "物業轉讓", "CO", "property"),
    ("Corporate", "公司商務", "CP", "corporate"),
    ("Insolvency", "清盤及破產", "IN", "insolvency"),
    ("Intellectual Property", "知識產權", "IP", "ip"),
    ("Arbitration", "仲裁", "AR", "arbitration"),
    ("Criminal", "刑事", "CR", "criminal"),
    ("Regulatory", "監管", "RG", "other"),
    ("Shipping", "海事", "SH", "commercial"),
    ("Construction", "建築工程", "CN", "civil"),
    ("Banking Litigation", "銀行訴訟", "BL", "commercial"),
    ("Insurance", "保險", "IS", "personal_injury"),
]
OFFICES = [
    ("Central", "中環", "18/F, 1 Queen's Road Central, Hong Kong"),
    ("Admiralty", "金鐘", "25/F, 89 Queensway, Admiralty, Hong Kong"),
    ("Tsim Sha Tsui", "尖沙咀", "12/F, 100 Nathan Road, Tsim Sha Tsui, Kowloon"),
]
PRACTICE_AREAS = ["civil", "commercial", "personal_injury", "employment", "family", "probate", "property",
                  "corporate", "insolvency", "ip", "arbitration", "criminal", "other"]
# prefix choices per practice area, and how often a case of that area has a court number
PREFIXES = {
    "civil": (["HCA", "DCCJ", "SCTC"], [5, 4, 1], 0.9),
    "commercial": (["HCA", "HCCL", "HCMP"], [5, 3, 2], 0.9),
    "personal_injury": (["DCPI", "HCPI"], [6, 4], 0.9),
    "employment": (["LBTC", "DCEO", "DCCJ"], [6, 2, 2], 0.85),
    "family": (["FCMC", "FCJA"], [8, 2], 0.9),
    "probate": (["HCAP", "HCMP"], [7, 3], 0.8),
    "property": (["HCMP", "LDBM", "HCA"], [4, 3, 3], 0.35),
    "corporate": (["HCMP", "HCCW"], [7, 3], 0.25),
    "insolvency": (["HCCW", "HCB"], [5, 5], 0.9),
    "ip": (["HCA", "HCIP"], [7, 3], 0.8),
    "arbitration": (["HCCT"], [1], 0.4),
    "criminal": (["DCCC", "HCCC"], [7, 3], 0.9),
    "other": (["HCAL", "HCMP"], [5, 5], 0.6),
}
COURT_OF = {"HCA": "CFI", "HCCL": "CFI", "HCMP": "CFI", "HCPI": "CFI", "HCAP": "CFI", "HCCW": "CFI",
            "HCB": "CFI", "HCIP": "CFI", "HCCT": "CFI", "HCCC": "CFI", "HCAL": "CFI", "DCCJ": "DC",
            "DCPI": "DC", "DCEO": "DC", "DCCC": "DC", "SCTC": "SCT", "LBTC": "LT", "FCMC": "FC",
            "FCJA": "FC", "LDBM": "LDT"}
LITIGATION_STAGES = ["pre_action", "pleadings", "interlocutory", "discovery", "evidence", "trial_prep",
                     "trial", "post_judgment", "appeal", "enforcement"]
ADVISORY = {"corporate", "property"}
ROLE_PAIRS = {
    "employment": ("claimant", "respondent"), "family": ("petitioner", "respondent"),
    "arbitration": ("claimant", "respondent"), "insolvency": ("petitioner", "respondent"),
    "probate": ("applicant", "deceased"), "criminal": ("defendant", "interested_party"),
}
TAGS = ["urgent", "legal-aid", "mediation", "cross-border", "high-value", "pro-bono", "ADR", "PD31"]
TASK_TITLES = [
    "Letter before action", "Client identification and due diligence (AML)", "Engagement letter signed",
    "Consider Practice Direction 31 mediation", "Writ of summons issued and served", "Acknowledgment of service",
    "Statement of claim", "Defence", "Reply", "Timetabling questionnaire", "Case management summons",
    "List of documents", "Inspection", "Witness statements exchanged", "Expert reports", "Pre-trial review",
    "Trial bundles", "Setting down", "Instruct counsel", "Brief counsel for hearing", "Draft affirmation",
    "File notice of appointment", "Chase client for documents", "Costs estimate to client",
    "Sanctioned payment offer", "Calderbank letter", "Prepare chronology", "Review opponent's list",
    "Interim payment application", "Bill of costs", "Taxation hearing", "Search of company records",
    "Land search", "Bankruptcy search", "Translate exhibits (Chinese to English)", "Serve summons",
    "Mediation certificate", "Skeleton submissions", "Authorities bundle", "Draft consent summons",
]
TASK_DETAILS = ["", "", "See the partner's note of the call.", "Counsel's fee note awaited.",
                "Deadline per the order of the Master.", "Client to confirm instructions first."]
NOTE_SENTENCES = [
    "Spoke to the client today; they want to explore settlement.",
    "Opponent's solicitors asked for a 14-day extension; we agreed subject to costs.",
    "Counsel's opinion received; prospects on liability look reasonable.",
    "Client sent further documents by e-mail, filed to the bundle.",
    "Hearing fixed before the Master; check the cause list the day before.",
    "Invoice sent; client asked for a breakdown by stage.",
    "Please diarise the deadline and check the service date.",
    "Without prejudice meeting went well, second round next month.",
    "客戶要求以中文覆函。", "已致電對方律師，尚待回覆。", "請於聆訊前準備文件冊。",
]
BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Caseroom-API-client/1.2",
]
TITLES = {"partner": ["Partner", "Senior Partner", "Managing Partner"], "associate": ["Associate", "Senior Associate"],
          "trainee": ["Trainee Solicitor"], "paralegal": ["Paralegal", "Senior Paralegal"],
          "secretary": ["Legal Secretary"], "compliance": ["Compliance Officer"], "admin": ["Practice Manager"]}

# --- table columns, in the order rows are built ----------------------------------------

COLUMNS = {
    "firms_user": ("id", "password", "last_login", "is_superuser", "email", "name_en", "name_zh",
                   "external_kind", "language", "is_active", "is_staff", "date_joined"),
    "firms_firm": ("id", "name", "name_zh", "slug", "require_two_factor", "created_at"),
    "firms_office": ("id", "firm_id", "name", "name_zh", "address"),
    "firms_team": ("id", "firm_id", "name", "name_zh", "office_id"),
    "firms_membership": ("id", "firm_id", "user_id", "role", "office_id", "title", "is_active", "created_at"),
    "firms_teammember": ("id", "firm_id", "team_id", "membership_id"),
    "cases_tasktemplate": ("id", "firm_id", "name", "name_zh", "case_number_prefixes", "steps"),
    "cases_case": ("id", "firm_id", "reference", "title_en", "title_zh", "case_number",
                   "case_number_unlisted_prefix", "court", "practice_area", "stage", "status", "opened_on",
                   "closed_on", "responsible_partner_id", "tags", "tasks_total", "tasks_done",
                   "last_activity_at", "created_at"),
    "cases_caseteammember": ("id", "firm_id", "case_id", "membership_id", "is_supervisor"),
    "cases_caseuserobjectpermission": ("id", "firm_id", "user_id", "permission_id", "content_object_id"),
    "cases_party": ("id", "firm_id", "case_id", "role", "kind", "name_en", "name_zh", "is_client", "created_at"),
    "cases_conflictcheck": ("id", "firm_id", "case_id", "status", "searched", "hits", "run_by_id", "run_at",
                            "cleared_by_id", "cleared_at", "clearance_reason"),
    "cases_task": ("id", "firm_id", "case_id", "parent_id", "title", "description", "status", "priority",
                   "assignee_id", "reviewer_id", "due_date", "estimate_minutes", "position", "created_at",
                   "completed_at"),
    "cases_note": ("id", "firm_id", "case_id", "author_id", "kind", "body", "created_at"),
    "cases_notemention": ("id", "firm_id", "note_id", "membership_id"),
    "firms_notification": ("id", "firm_id", "recipient_id", "kind", "title", "url", "case_id", "created_at",
                           "read_at"),
    "audit_auditentry": ("id", "firm_id", "seq", "created_at", "actor_user_id", "actor_label", "action",
                         "object_type", "object_id", "case_id", "changes", "ip", "user_agent", "prev_hash",
                         "hash"),
    "audit_auditchainhead": ("id", "firm_id", "seq", "hash"),
}
FIRM_TABLES = [t for t in COLUMNS if t != "firms_user"]


class Ids:
    """Primary keys handed out here (the database is new); sequences are moved on at the end."""

    def __init__(self):
        self.last: dict[str, int] = {}

    def next(self, table: str) -> int:
        self.last[table] = self.last.get(table, 0) + 1
        return self.last[table]


@dataclass
class Member:
    id: int
    user_id: int
    role: str
    team: int | None
    handle: str
    weight: float = 1.0


@dataclass
class CaseDraft:
    id: int
    team: int
    practice: str
    status: str
    opened_on: date
    closed_on: date | None
    members: list[Member]
    supervisor: Member
    parties: list[tuple] = field(default_factory=list)


@dataclass
class FirmSpec:
    slug: str
    name: str
    name_zh: str
    roles: dict[str, int]
    n_teams: int
    n_cases: int
    n_tasks: int
    notes_per_case: float
    audit_entries: int
    years: int
    designated: bool = False


def spread(rng: random.Random, start: datetime, end: datetime, skew: float = 1.0) -> datetime:
    """A moment between start and end (skew > 1 leans towards start)."""
    if end <= start:
        return start
    u = rng.random() ** skew
    return start + timedelta(microseconds=int((end - start) / timedelta(microseconds=1) * u))


def at_office(day: date, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=HK).astimezone(UTC) + timedelta(
        seconds=rng.randrange(9 * 3600), microseconds=rng.randrange(1_000_000))


def person_name(rng: random.Random) -> tuple[str, str]:
    (sur_en, sur_zh), (g1_en, g1_zh), (g2_en, g2_zh) = rng.choice(SURNAMES), rng.choice(GIVEN), rng.choice(GIVEN)
    name_en = f"{sur_en} {g1_en} {g2_en.lower()}" if rng.random() < 0.5 else f"{sur_en} {g1_en} {g2_en}"
    if rng.random() < 0.2:
        name_en = f"{rng.choice(WESTERN)} {name_en}"
    return name_en, f"{sur_zh}{g1_zh}{g2_zh}"


def company_name(rng: random.Random) -> tuple[str, str]:
    (a_en, a_zh), (b_en, b_zh), (s_en, s_zh) = rng.choice(COMPANY_A), rng.choice(COMPANY_B), rng.choice(COMPANY_SUFFIX)
    return f"{a_en} {b_en}{s_en}", f"{a_zh}{b_zh}{s_zh}"


def weighted(rng: random.Random, options, weights):
    return rng.choices(options, weights)[0]


class FirmBuilder:
    """All of one firm's rows, plus its audit events (hashed when loaded, in time order)."""

    def __init__(self, spec: FirmSpec, ids: Ids, rng: random.Random, users: list[tuple],
                 permission_id: int):
        self.spec, self.ids, self.rng, self.users = spec, ids, rng, users
        self.permission_id = permission_id
        self.firm_id = ids.next("firms_firm")
        self.rows: dict[str, list[tuple]] = {table: [] for table in FIRM_TABLES}
        # (created_at UTC, actor_user_id, action, object_type, object_id, case_id, changes)
        self.events: list[tuple] = []
        self.members: list[Member] = []
        self.founded = at_office(TODAY - timedelta(days=365 * spec.years + 30), rng)
        self.used_numbers: set[str] = set()
        self.references: dict[tuple[str, int], int] = {}
        self.case_ids: list[int] = []

    def add(self, table: str, *values) -> None:
        self.rows[table].append(values)

    def event(self, when, actor, action, object_type="", object_id="", case_id=None, changes=None):
        self.events.append((when, actor, action, object_type, str(object_id), case_id, changes or {}))

    # --- people and structure ---

    def build_structure(self) -> None:
        spec, rng, ids = self.spec, self.rng, self.ids
        self.add("firms_firm", self.firm_id, spec.name, spec.name_zh, spec.slug, False, self.founded)
        self.event(self.founded, None, "firm.create", "firm", self.firm_id,
                   changes={"slug": [None, spec.slug], "require_two_factor": [None, False]})
        offices = []
        for name, name_zh, address in OFFICES[: 1 if spec.n_teams < 5 else 3]:
            office_id = ids.next("firms_office")
            offices.append(office_id)
            self.add("firms_office", office_id, self.firm_id, name, name_zh, address)
            self.event(self.founded, None, "office.create", "office", office_id, changes={"name": [None, name]})
        self.teams = []
        chosen = range(spec.n_teams) if spec.n_teams >= 10 else sorted(rng.sample(range(len(TEAMS)), spec.n_teams))
        for index in chosen:
            name, name_zh, code, practice = TEAMS[index]
            team_id = ids.next("firms_team")
            self.teams.append({"id": team_id, "code": code, "practice": practice, "partners": [], "staff": []})
            self.add("firms_team", team_id, self.firm_id, name, name_zh, offices[len(self.teams) % len(offices)])
            self.event(self.founded, None, "team.create", "team", team_id, changes={"name": [None, name]})
        index = 0
        for role, count in spec.roles.items():
            for number in range(count):
                index += 1
                self._add_member(role, number, index, offices)
        # The template every firm starts with (firms.services.firm_create installs it).
        from cases.data.templates import DEFAULT_TEMPLATES

        for template in DEFAULT_TEMPLATES:
            self.add("cases_tasktemplate", ids.next("cases_tasktemplate"), self.firm_id, template["name"],
                     template["name_zh"], json.dumps(template["case_number_prefixes"]),
                     json.dumps(template["steps"], ensure_ascii=False))

    def _add_member(self, role: str, number: int, index: int, offices: list[int]) -> None:
        spec, rng, ids = self.spec, self.rng, self.ids
        name_en, name_zh = person_name(rng)
        user_id = ids.next("firms_user")
        surname = next(word for word in name_en.split() if word.isupper())
        handle = f"{surname.lower()}.{user_id}"
        email = f"{handle}@{spec.slug}.example.hk"
        if spec.designated and number == 0 and role == "associate":
            email, handle = benchdb.ASSOCIATE_EMAIL, "bench.associate"
        if spec.designated and number == 0 and role == "partner":
            email, handle = benchdb.PARTNER_EMAIL, "bench.partner"
        joined = spread(rng, self.founded, NOW - timedelta(days=30), skew=0.7)
        self.users.append((user_id, "!" + hashlib.md5(email.encode()).hexdigest(), None, False, email,
                           name_en, name_zh, "", "zh-hant" if rng.random() < 0.25 else "en", True, False, joined))
        membership_id = ids.next("firms_membership")
        team = None
        if role not in {"compliance", "admin"} and self.teams:
            team = number % len(self.teams) if role == "partner" else rng.randrange(len(self.teams))
        member = Member(membership_id, user_id, role, team, handle, weight=rng.lognormvariate(0, 0.6))
        self.members.append(member)
        self.add("firms_membership", membership_id, self.firm_id, user_id, role,
                 offices[index % len(offices)], rng.choice(TITLES[role]), True, self.founded)
        self.event(self.founded, None, "person.create", "user", user_id, changes={"external_kind": [None, ""]})
        self.event(self.founded, None, "membership.create", "membership", membership_id,
                   changes={"user": [None, user_id], "role": [None, role]})
        if team is not None:
            team_info = self.teams[team]
            (team_info["partners"] if role == "partner" else team_info["staff"]).append(member)
            self.add("firms_teammember", ids.next("firms_teammember"), self.firm_id, team_info["id"], membership_id)
            self.event(self.founded, None, "team.member_add", "team", team_info["id"],
                       changes={"membership": [None, membership_id]})

    # --- cases ---

    def build_cases(self) -> list[CaseDraft]:
        spec, rng = self.spec, self.rng
        partners = [m for m in self.members if m.role == "partner"]
        start = TODAY - timedelta(days=365 * spec.years)
        drafts = []
        designated = next((m for m in self.members if m.handle == "bench.associate"), None)
        for _number in range(spec.n_cases):
            team_index = rng.randrange(len(self.teams))
            team = self.teams[team_index]
            practice = team["practice"] if rng.random() < 0.85 else rng.choice(PRACTICE_AREAS)
            opened_on = start + timedelta(days=int((TODAY - start).days * rng.random() ** 0.6))
            age = (TODAY - opened_on).days
            if age > 3 * 365:
                status = weighted(rng, ["closed", "on_hold", "open"], [92, 5, 3])
            elif age > 365:
                status = weighted(rng, ["closed", "open", "on_hold"], [45, 45, 10])
            else:
                status = weighted(rng, ["open", "pending", "on_hold", "closed"], [80, 8, 5, 7])
            closed_on = None
            if status == "closed":
                closed_on = min(TODAY, opened_on + timedelta(days=rng.randrange(30, 1500)))
            supervisor = rng.choice(team["partners"] or partners)
            staff = [m for m in team["staff"] or self.members if m.role not in {"partner", "compliance", "admin"}
                     and m is not designated]
            size = min(rng.randint(2, 5), 1 + len(staff))
            chosen = self._weighted_sample(staff, size - 1)
            drafts.append(CaseDraft(self.ids.next("cases_case"), team_index, practice, status, opened_on,
                                    closed_on, [supervisor, *chosen], supervisor))
        if designated is not None:
            self._place_designated(drafts, designated)
        return drafts

    def _weighted_sample(self, people: list[Member], k: int) -> list[Member]:
        chosen: list[Member] = []
        pool = list(people)
        while pool and len(chosen) < k:
            person = self.rng.choices(pool, [p.weight for p in pool])[0]
            pool.remove(person)
            chosen.append(person)
        return chosen

    def _place_designated(self, drafts: list[CaseDraft], associate: Member) -> None:
        """The associate the benchmarks sign in as: on ~70 case teams, mostly their own team's."""
        target = min(70, len(drafts) // 10)
        own = [d for d in drafts if d.team == associate.team]
        others = [d for d in drafts if d.team != associate.team]
        picked = self.rng.sample(own, min(len(own), target * 4 // 5))
        picked += self.rng.sample(others, target - len(picked))
        for draft in picked:
            if len(draft.members) >= 5:
                draft.members[-1] = associate
            else:
                draft.members.append(associate)
        self.designated_cases = {d.id for d in picked}

    def build_case(self, draft: CaseDraft, tasks_here: int, notes_here: int) -> None:
        rng, ids, firm = self.rng, self.ids, self.firm_id
        practice = draft.practice
        parties = self._parties(draft, practice)
        reference, number, court = self._numbers(draft, practice)
        title_en, title_zh = self._title(practice, parties)
        stage = self._stage(draft, practice)
        opened_at = at_office(draft.opened_on, rng)
        ends = NOW - timedelta(minutes=5) if draft.closed_on is None else at_office(draft.closed_on, rng)
        ends = max(ends, opened_at + timedelta(hours=1))
        creator = draft.members[-1] if len(draft.members) > 1 else draft.supervisor
        first_event = len(self.events)
        self.event(opened_at, creator.user_id, "case.create", "case", draft.id, draft.id,
                   {"reference": [None, reference], "case_number": [None, number], "status": [None, "pending"],
                    "unlisted_prefix": [None, False]})
        when = opened_at
        for member in draft.members:
            supervises = member is draft.supervisor
            self.add("cases_caseteammember", ids.next("cases_caseteammember"), firm, draft.id, member.id, supervises)
            when += timedelta(milliseconds=rng.randrange(5, 400))
            self.event(when, creator.user_id, "case.team_add", "case", draft.id, draft.id,
                       {"membership": [None, member.id], "is_supervisor": [None, supervises]})
        for role, kind, name_en, name_zh, is_client in parties:
            party_id = ids.next("cases_party")
            when += timedelta(milliseconds=rng.randrange(5, 400))
            self.add("cases_party", party_id, firm, draft.id, role, kind, name_en, name_zh, is_client, when)
            self.event(when, creator.user_id, "party.add", "party", party_id, draft.id,
                       {"role": [None, role], "is_client": [None, is_client]})
        check_id = ids.next("cases_conflictcheck")
        when += timedelta(milliseconds=rng.randrange(50, 900))
        searched = [{"name_en": p[2], "name_zh": p[3], "role": p[0]} for p in parties]
        self.add("cases_conflictcheck", check_id, firm, draft.id, "no_hits", json.dumps(searched, ensure_ascii=False),
                 "[]", creator.id, when, None, None, "")
        self.event(when, creator.user_id, "conflict.check", "conflict_check", check_id, draft.id,
                   {"names": len(searched), "hits": 0, "status": "no_hits"})
        if draft.status != "pending":
            self.event(when + timedelta(milliseconds=30), creator.user_id, "case.open", "case", draft.id, draft.id,
                       {"status": ["pending", "open"]})
        total, done = self._tasks(draft, tasks_here, opened_at, ends)
        self._notes(draft, notes_here, opened_at, ends)
        self._case_updates(draft, stage, opened_at, ends)
        tags = rng.sample(TAGS, weighted(rng, [0, 1, 2], [6, 3, 1]))
        last_activity = max(event[0] for event in self.events[first_event:])
        self.add("cases_case", draft.id, firm, reference, title_en, title_zh, number, False, court, practice, stage,
                 draft.status, draft.opened_on, draft.closed_on, draft.supervisor.id, tags, total, done,
                 last_activity, opened_at)
        self.case_ids.append(draft.id)

    def _parties(self, draft, practice) -> list[tuple]:
        rng = self.rng
        count = weighted(rng, [2, 3, 4], [5, 3, 2])
        ours, theirs = ROLE_PAIRS.get(practice, ("plaintiff", "defendant"))
        if practice in ADVISORY:
            ours, theirs = "other", "counterparty"
        parties = []
        client_first = rng.random() < 0.6
        for index in range(count):
            role = ours if index == 0 else theirs if index == 1 else rng.choice(["third_party", theirs, ours])
            if practice == "probate" and role == "deceased":
                kind = "person"
            else:
                kind = "company" if rng.random() < (0.55 if practice in {"commercial", "corporate", "insolvency",
                                                                          "arbitration", "ip"} else 0.25) else "person"
            name_en, name_zh = company_name(rng) if kind == "company" else person_name(rng)
            if rng.random() < 0.04:
                name_zh = ""  # an overseas party known only by an English name
            is_client = (index == 0) == client_first and role != "deceased"
            parties.append((role, kind, name_en, name_zh, is_client))
        return parties

    def _numbers(self, draft, practice) -> tuple[str, str, str]:
        rng = self.rng
        team = self.teams[draft.team]
        key = (team["code"], draft.opened_on.year)
        self.references[key] = self.references.get(key, 0) + 1
        reference = f"{team['code']}-{draft.opened_on.year}-{self.references[key]:04d}"
        prefixes, weights, chance = PREFIXES[practice]
        if rng.random() >= chance:
            return reference, "", ""
        prefix = weighted(rng, prefixes, weights)
        for _attempt in range(50):
            number = f"{prefix} {rng.randint(1, 4000 if prefix in {'HCA', 'DCCJ', 'LBTC', 'SCTC'} else 1500)}/{draft.opened_on.year}"
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return reference, number, COURT_OF[prefix]
        return reference, "", ""

    @staticmethod
    def _title(practice, parties) -> tuple[str, str]:
        first, second = parties[0], parties[1]
        if practice == "probate":
            deceased = next((p for p in parties if p[0] == "deceased"), second)
            zh = f"{deceased[3]}遺產" if deceased[3] else ""
            return f"Re the estate of {deceased[2]}, deceased", zh
        if practice == "criminal":
            return f"HKSAR v {first[2]}", f"香港特別行政區 對 {first[3]}" if first[3] else ""
        if practice in ADVISORY:
            matter = "share purchase" if practice == "corporate" else "sale and purchase"
            zh_matter = "股份買賣" if practice == "corporate" else "物業買賣"
            return f"{first[2]}: {matter} with {second[2]}", (f"{first[3]}：{zh_matter}" if first[3] else "")
        zh = f"{first[3]} 對 {second[3]}" if first[3] and second[3] else ""
        return f"{first[2]} v {second[2]}", zh

    def _stage(self, draft, practice) -> str:
        rng = self.rng
        if draft.status == "pending":
            return "intake"
        if draft.status == "closed":
            return weighted(rng, ["completed", "post_judgment", "enforcement"], [7, 2, 1])
        if practice in ADVISORY:
            return "advisory"
        return rng.choice(LITIGATION_STAGES)

    def _tasks(self, draft, count, opened_at, ends) -> tuple[int, int]:
        rng, ids, firm = self.rng, self.ids, self.firm_id
        if count == 0:
            return 0, 0
        nodes: list[dict] = []
        roots = max(1, round(count * rng.uniform(0.2, 0.4)))
        positions: dict[int | None, int] = {}
        for index in range(count):
            if index < roots:
                parent = None
            else:
                candidates = [n for n in nodes if n["depth"] < 3]
                parent = rng.choices(candidates, [3 if n["depth"] == 1 else 1 for n in candidates])[0]
            positions[parent and parent["id"]] = positions.get(parent and parent["id"], 0) + 1
            nodes.append({"id": ids.next("cases_task"), "parent": parent, "depth": 1 + (parent["depth"] if parent else 0),
                          "position": positions[parent and parent["id"]], "children": []})
            if parent:
                parent["children"].append(nodes[-1])
        is_open = draft.status in {"open", "on_hold"}
        for node in nodes:
            if draft.status == "closed":
                status = weighted(rng, ["done", "cancelled"], [88, 12])
            elif draft.status == "pending":
                status = "todo"
            else:
                status = weighted(rng, ["todo", "in_progress", "in_review", "done", "cancelled"], [35, 20, 10, 30, 5])
            node["status"] = status
        for node in reversed(nodes):  # parents follow their children
            if node["children"]:
                finished = all(c["status"] in {"done", "cancelled"} for c in node["children"])
                node["status"] = "done" if finished else ("in_progress" if is_open else "todo")
        total = sum(1 for n in nodes if not n["children"] and n["status"] != "cancelled")
        done = sum(1 for n in nodes if not n["children"] and n["status"] == "done")
        for node in nodes:
            created = spread(rng, opened_at, ends, skew=2.0)
            if node["parent"] is not None:
                created = max(created, node["parent"]["created"] + timedelta(seconds=1))
            node["created"] = created
            assignee = rng.choice(draft.members) if rng.random() < 0.85 else None
            reviewer = None
            if node["status"] == "in_review" or rng.random() < 0.35:
                reviewer = draft.supervisor if rng.random() < 0.75 else rng.choice(draft.members)
            due = None
            if rng.random() < 0.85:
                if draft.closed_on is None:
                    due = max(draft.opened_on, TODAY + timedelta(days=rng.randint(-365, 365)))
                else:
                    due = draft.opened_on + timedelta(days=rng.randint(0, max(0, (draft.closed_on - draft.opened_on).days)))
            completed = None
            actor = (assignee or draft.supervisor).user_id
            title = rng.choice(TASK_TITLES)
            self.event(created, actor, "task.create", "task", node["id"], draft.id,
                       {"title": title, "parent": [None, node["parent"] and node["parent"]["id"]],
                        "assignee": [None, assignee and assignee.id], "due_date": [None, due and due.isoformat()]})
            moment = created
            path = {"todo": [], "in_progress": ["in_progress"], "in_review": ["in_progress", "in_review"],
                    "done": ["in_progress", "done"] if rng.random() < 0.6 else ["in_progress", "in_review", "done"],
                    "cancelled": ["cancelled"]}[node["status"]]
            before = "todo"
            for status in path:
                moment = spread(rng, moment, min(ends, moment + timedelta(days=120)), skew=1.5)
                self.event(moment, actor, "task.status", "task", node["id"], draft.id,
                           {"title": title, "status": [before, status]})
                before = status
            if node["status"] == "done":
                completed = moment
            if rng.random() < 0.2:
                moment = spread(rng, created, ends, skew=1.5)
                self.event(moment, actor, "task.update", "task", node["id"], draft.id,
                           {"title": title, "priority": ["normal", "high"]})
            self.add("cases_task", node["id"], firm, draft.id, node["parent"] and node["parent"]["id"], title,
                     rng.choice(TASK_DETAILS), node["status"],
                     weighted(rng, ["normal", "high", "low", "urgent"], [60, 20, 12, 8]),
                     assignee and assignee.id, reviewer and reviewer.id, due,
                     rng.choice([None, None, None, 30, 60, 90, 120, 240, 480]), node["position"], created, completed)
            if assignee and is_open and assignee is not draft.supervisor and rng.random() < 0.5:
                self.add("firms_notification", ids.next("firms_notification"), firm, assignee.id, "task_assigned",
                         f"New task for you: {title}", f"/cases/{draft.id}/#tasks", draft.id, created,
                         None if rng.random() < 0.3 else created + timedelta(hours=rng.randrange(1, 72)))
        return total, done

    def _notes(self, draft, count, opened_at, ends) -> None:
        rng, ids, firm = self.rng, self.ids, self.firm_id
        for _index in range(count):
            note_id = ids.next("cases_note")
            author = rng.choice(draft.members)
            created = spread(rng, opened_at, ends)
            body = " ".join(rng.sample(NOTE_SENTENCES, rng.randint(1, 3)))
            mentioned = []
            if rng.random() < 0.2 and len(draft.members) > 1:
                mentioned = [rng.choice([m for m in draft.members if m is not author])]
                body = f"@{mentioned[0].handle} {body}"
            kind = "message" if rng.random() < 0.2 else "note"
            self.add("cases_note", note_id, firm, draft.id, author.id, kind, body, created)
            for person in mentioned:
                self.add("cases_notemention", ids.next("cases_notemention"), firm, note_id, person.id)
                self.add("firms_notification", ids.next("firms_notification"), firm, person.id, "mention",
                         "You were mentioned", f"/cases/{draft.id}/#note-{note_id}", draft.id, created,
                         None if rng.random() < 0.3 else created + timedelta(hours=2))
            self.event(created, author.user_id, f"note.{kind}", "note", note_id, draft.id,
                       {"mentions": [m.id for m in mentioned], "length": len(body)})

    def _case_updates(self, draft, stage, opened_at, ends) -> None:
        rng = self.rng
        stages = ["intake", *sorted(rng.sample(LITIGATION_STAGES, rng.randint(0, 4)), key=LITIGATION_STAGES.index)]
        if stages[-1] != stage:
            stages.append(stage)
        moment = opened_at
        for before, after in zip(stages, stages[1:], strict=False):
            moment = spread(rng, moment, ends, skew=1.5)
            self.event(moment, draft.supervisor.user_id, "case.update", "case", draft.id, draft.id,
                       {"stage": [before, after]})
        if draft.closed_on is not None:
            self.event(ends, draft.supervisor.user_id, "case.update", "case", draft.id, draft.id,
                       {"status": ["open", "closed"], "closed_on": [None, draft.closed_on.isoformat()]})
        elif draft.status == "on_hold":
            self.event(spread(rng, moment, ends), draft.supervisor.user_id, "case.update", "case", draft.id,
                       draft.id, {"status": ["open", "on_hold"]})

    def grant_exceptions(self, drafts: list[CaseDraft]) -> None:
        """A few django-guardian exceptions: the designated associate may see three other cases."""
        associate = next((m for m in self.members if m.handle == "bench.associate"), None)
        if associate is None:
            return
        outside = [d for d in drafts if associate not in d.members]
        for draft in self.rng.sample(outside, min(3, len(outside))):
            self.add("cases_caseuserobjectpermission", self.ids.next("cases_caseuserobjectpermission"),
                     self.firm_id, associate.user_id, self.permission_id, draft.id)
            self.event(NOW - timedelta(days=self.rng.randrange(1, 300)), draft.supervisor.user_id,
                       "case.access_grant", "case", draft.id, draft.id, {"user": [None, associate.user_id]})

    def sign_ins(self, count: int) -> None:
        """People signing in and out: entries of no case, filling the chain to its size."""
        rng = self.rng
        people = self.members
        start = NOW - timedelta(days=365 * min(self.spec.years, 4))
        for _index in range(count):
            person = rng.choice(people)
            when = spread(rng, start, NOW - timedelta(minutes=1), skew=0.8)
            email_ref = "sha256:" + hashlib.sha256(f"{person.handle}@{self.spec.slug}".encode()).hexdigest()
            if rng.random() < 0.8:
                self.event(when, person.user_id, "auth.sign_in", "user", person.user_id,
                           changes={"email": email_ref, "method": "password"})
            else:
                self.event(when, person.user_id, "auth.sign_out", "user", person.user_id, changes={"email": email_ref})

    def build(self, task_counts: list[int], note_counts: list[int]) -> None:
        self.build_structure()
        drafts = self.build_cases()
        for draft, tasks_here, notes_here in zip(drafts, task_counts, note_counts, strict=True):
            self.build_case(draft, tasks_here, notes_here)
        self.grant_exceptions(drafts)
        self.sign_ins(max(self.spec.audit_entries - len(self.events), len(self.members) * 5))
        # Chain order is time order; entries of the same instant keep the order they were made in.
        self.events.sort(key=lambda event: event[0])


def counts_summing_to(rng: random.Random, n: int, total: int, mean_shape: float = 2.0) -> list[int]:
    """n non-negative counts, gamma-distributed (a few big cases, many small), adding up to total."""
    if n == 0:
        return []
    mean = total / n
    counts = [int(rng.gammavariate(mean_shape, mean / mean_shape)) for _ in range(n)]
    difference = total - sum(counts)
    step = 1 if difference > 0 else -1
    while difference:
        index = rng.randrange(n)
        if step < 0 and counts[index] == 0:
            continue
        counts[index] += step
        difference -= step
    return counts


# --- loading ----------------------------------------------------------------------------


class Loader:
    def __init__(self, conn: psycopg.Connection):
        self.conn = conn
        with conn.transaction():
            for table in FIRM_TABLES:
                conn.execute(sql.SQL("CREATE TEMP TABLE {} (LIKE {}) ON COMMIT DELETE ROWS").format(
                    sql.Identifier(f"stage_{table}"), sql.Identifier(table)))

    def copy_rows(self, table: str, rows, target: str | None = None) -> int:
        columns = sql.SQL(", ").join(map(sql.Identifier, COLUMNS[table]))
        count = 0
        with self.conn.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(target or table), columns)) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def load_firm(self, firm: FirmBuilder, report=None) -> dict[str, int]:
        """One transaction, as the firm: every row passes the RLS policies' WITH CHECK.

        The staging tables empty themselves at commit (ON COMMIT DELETE ROWS)."""
        counts = {}
        with self.conn.transaction():
            self.conn.execute("SELECT set_config('app.firm_id', %s, true)", [str(firm.firm_id)])
            for table in FIRM_TABLES:
                if table == "audit_auditentry":
                    rows = self.hashed_entries(firm)
                elif table == "audit_auditchainhead":
                    rows = [(firm.ids.next("audit_auditchainhead"), firm.firm_id, firm.head_seq, firm.head_hash)]
                else:
                    rows = firm.rows[table]
                began = time.perf_counter()
                counts[table] = self.copy_rows(table, rows, target=f"stage_{table}")
                columns = sql.SQL(", ").join(map(sql.Identifier, COLUMNS[table]))
                self.conn.execute(sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {}").format(
                    sql.Identifier(table), columns, columns, sql.Identifier(f"stage_{table}")))
                if report and counts[table] >= 50_000:
                    report(f"  {table}: {counts[table]:,} rows in {time.perf_counter() - began:.1f} s")
        return counts

    @staticmethod
    def hashed_entries(firm: FirmBuilder):
        """The firm's events as chain entries: numbered, linked and hashed in order."""
        from audit.chain import GENESIS_HASH, entry_hash

        previous, seq = GENESIS_HASH, 0
        ips = [f"203.0.113.{n}" for n in range(1, 40)] + [f"2001:db8::{n:x}" for n in range(1, 8)]
        rng = random.Random(firm.firm_id)
        for when, actor, action, object_type, object_id, case_id, changes in firm.events:
            seq += 1
            is_person = actor is not None
            values = {
                "firm_id": firm.firm_id, "seq": seq, "created_at": when, "actor_user_id": actor,
                "actor_label": "user" if is_person else "system:onboarding", "action": action,
                "object_type": object_type, "object_id": object_id, "case_id": case_id, "changes": changes,
                "ip": rng.choice(ips) if is_person else None,
                "user_agent": rng.choice(BROWSERS) if is_person else "", "prev_hash": previous,
            }
            digest = entry_hash(values)
            yield (firm.ids.next("audit_auditentry"), firm.firm_id, seq, when, actor, values["actor_label"], action,
                   object_type, object_id, case_id, json.dumps(changes, ensure_ascii=False), values["ip"],
                   values["user_agent"], previous, digest)
            previous = digest
        firm.head_seq, firm.head_hash = seq, previous


# --- the database -----------------------------------------------------------------------


def say(message: str, began: float) -> None:
    print(f"[{time.perf_counter() - began:7.1f} s] {message}", flush=True)


def create_database(name: str, owner_url: str, recreate: bool) -> None:
    maintenance = benchdb.with_database(owner_url, "postgres")
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not recreate:
            comment = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
            ).fetchone()[0]
            state = "complete: " + comment if comment else "INCOMPLETE (an earlier run stopped part-way)"
            raise SystemExit(f"database {name} exists ({state}).\nUse --recreate to drop and build it again.")
        if exists:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def migrate(app_url: str, owner_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": app_url, "DATABASE_OWNER_URL": owner_url}
    subprocess.run([sys.executable, "manage.py", "migrate", "--database=owner", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True)


def small_firm_spec(rng: random.Random, number: int, scale: float) -> FirmSpec:
    people = rng.randint(5, 20)
    partners = max(1, people // 6)
    roles = {"partner": partners, "associate": max(1, (people - partners) // 2)}
    rest = people - sum(roles.values())
    roles.update(trainee=rest // 3, paralegal=rest // 3, secretary=rest - 2 * (rest // 3))
    cases = max(5, int(rng.randint(20, 200) * max(scale, 0.05)))
    return FirmSpec(
        slug=f"bench-small-{number:03d}", name=f"{rng.choice(SURNAMES)[0].title()} & Co. Solicitors {number}",
        name_zh=f"{rng.choice(SURNAMES)[1]}律師事務所{number}", roles=roles, n_teams=min(2, partners),
        n_cases=cases, n_tasks=cases * 5, notes_per_case=1.0, audit_entries=0, years=rng.randint(2, 10))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the full dataset; 0.1 for a quick one")
    parser.add_argument("--database", help=f"bench database name (default {benchdb.DEFAULT_DATABASE})")
    parser.add_argument("--recreate", action="store_true", help="drop the bench database first if it exists")
    parser.add_argument("--seed", type=int, default=20251125)
    args = parser.parse_args()
    began = time.perf_counter()
    name = benchdb.database_name(args.database)
    app_url, owner_url = benchdb.point_django_at(name)
    import django

    django.setup()

    scale = args.scale
    say(f"bench database {name}: creating", began)
    create_database(name, owner_url, args.recreate)
    migrate(app_url, owner_url)
    say("migrated (manage.py migrate --database=owner)", began)

    rng = random.Random(args.seed)
    ids = Ids()
    users: list[tuple] = []
    with psycopg.connect(owner_url, autocommit=True) as conn:  # each transaction() below commits
        permission_id = conn.execute(
            "SELECT id FROM auth_permission WHERE codename = 'view_case_exception'").fetchone()[0]
        loader = Loader(conn)
        totals: dict[str, int] = {}

        n_cases = max(100, int(20_000 * scale))
        big = FirmSpec(
            slug=benchdb.BIG_FIRM_SLUG, name="Bench, Wong & Partners", name_zh="班志黃律師行",
            roles={"partner": 30, "associate": 125, "trainee": 70, "paralegal": 35, "secretary": 30,
                   "compliance": 5, "admin": 5},
            n_teams=20, n_cases=n_cases, n_tasks=int(200_000 * scale), notes_per_case=3.0,
            audit_entries=int(1_000_000 * scale), years=14, designated=True)
        firm = FirmBuilder(big, ids, rng, users, permission_id)
        firm.build(counts_summing_to(rng, big.n_cases, big.n_tasks),
                   counts_summing_to(rng, big.n_cases, int(big.n_cases * big.notes_per_case), 1.2))
        say(f"big firm built in memory: {len(firm.rows['cases_case']):,} cases, "
            f"{len(firm.rows['cases_task']):,} tasks, {len(firm.events):,} audit entries", began)
        with conn.transaction():
            loader.copy_rows("firms_user", users)
        users.clear()
        counts = loader.load_firm(firm, report=lambda line: say(line, began))
        for table, count in counts.items():
            totals[table] = totals.get(table, 0) + count
        big_counts = counts
        say(f"big firm loaded (firm id {firm.firm_id})", began)
        del firm

        small = max(2, int(200 * scale))
        for number in range(1, small + 1):
            spec = small_firm_spec(rng, number, scale)
            firm = FirmBuilder(spec, ids, rng, users, permission_id)
            firm.build(counts_summing_to(rng, spec.n_cases, spec.n_tasks),
                       counts_summing_to(rng, spec.n_cases, int(spec.n_cases * spec.notes_per_case), 1.2))
            with conn.transaction():
                loader.copy_rows("firms_user", users)
            users.clear()
            counts = loader.load_firm(firm)
            for table, count in counts.items():
                totals[table] = totals.get(table, 0) + count
            if number % 25 == 0 or number == small:
                say(f"small firms: {number}/{small}", began)

        with conn.transaction():
            for table, last in ids.last.items():
                conn.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, last])
        totals["firms_user"] = ids.last["firms_user"]
    say("sequences moved on; VACUUM ANALYZE", began)
    with psycopg.connect(owner_url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        summary = {
            "generated_at": NOW.isoformat(), "scale": scale, "seed": args.seed, "seconds": round(time.perf_counter() - began),
            "big_firm": {k.split("_", 1)[1]: v for k, v in big_counts.items()},
            "all_firms": {k.split("_", 1)[1]: v for k, v in totals.items()},
        }
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
            sql.Identifier(name), sql.Literal(json.dumps(summary))))
    say("done", began)
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
