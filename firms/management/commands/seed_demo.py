"""Demo data: two firms, one person of every role in each, a client, and a few HK cases.

Idempotent: running it again finds what is there and adds only what is missing.
"""

from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from audit.context import acting_as, system_actor
from cases.models import Case, Task
from cases.services import case_create, note_add, task_set_status, task_update
from firms import services
from firms.models import Firm, Membership, Team, User
from firms.selectors import first_membership_of
from firms.tenancy import tenant_scope

DEMO_PASSWORD = "caseroom-demo"  # noqa: S105 - documented demo credential

ROLE_PEOPLE = {
    # role: (login part, English name, Chinese name)
    "partner": ("partner", "CHAN Tai Man", "陳大文"),
    "associate": ("associate", "LAU Ka Yan", "劉嘉欣"),
    "trainee": ("trainee", "WONG Siu Ming", "王小明"),
    "paralegal": ("paralegal", "LEE Mei Ling", "李美玲"),
    "secretary": ("secretary", "HO Wing Sze", "何詠詩"),
    "compliance": ("compliance", "CHEUNG Kwok Wai", "張國偉"),
    "admin": ("admin", "NG Hoi Yee", "吳凱儀"),
}

FIRMS = [
    {
        "slug": "chan-lau", "name": "Chan & Lau Solicitors", "name_zh": "陳劉律師行",
        "team": ("Litigation", "訴訟組"),
        "cases": [
            {"reference": "CL-2024-0012", "title_en": "Wing Fat Trading Ltd v Golden Harbour Shipping Co Ltd",
             "title_zh": "永發貿易有限公司 訴 金港航運有限公司", "case_number": "HCA 1234/2024",
             "practice_area": "commercial", "stage": "pleadings", "opened_on": date(2024, 5, 6),
             "parties": [("plaintiff", "Wing Fat Trading Limited", "永發貿易有限公司", "company", True),
                         ("defendant", "Golden Harbour Shipping Company Limited", "金港航運有限公司",
                          "company", False)]},
            {"reference": "CL-2025-0031", "title_en": "CHEUNG Siu Fong v Kowloon Bay Property Management Ltd",
             "title_zh": "張小芳 訴 九龍灣物業管理有限公司", "case_number": "DCPI 567/2025",
             "practice_area": "personal_injury", "stage": "pre_action", "opened_on": date(2025, 2, 17),
             "parties": [("plaintiff", "CHEUNG Siu Fong", "張小芳", "person", True),
                         ("defendant", "Kowloon Bay Property Management Limited", "九龍灣物業管理有限公司",
                          "company", False)]},
            {"reference": "CL-2025-0044", "title_en": "Re the estate of LEUNG Chi Keung, deceased",
             "title_zh": "梁志強（已故）遺產", "case_number": "HCAP 88/2025",
             "practice_area": "probate", "stage": "intake", "opened_on": date(2025, 6, 2),
             "parties": [("deceased", "LEUNG Chi Keung", "梁志強", "person", False),
                         ("applicant", "LEUNG Wai Man", "梁惠敏", "person", True)]},
        ],
    },
    {
        "slug": "harbour", "name": "Harbour Legal LLP", "name_zh": "海港律師事務所",
        "team": ("Disputes", "爭議解決組"),
        "cases": [
            {"reference": "HL-2025-0007", "title_en": "Pacific Crest Holdings Ltd v Tsim Sha Tsui Investments Ltd",
             "title_zh": "太平峰控股有限公司 訴 尖沙咀投資有限公司", "case_number": "HCCL 21/2025",
             "practice_area": "commercial", "stage": "pleadings", "opened_on": date(2025, 3, 11),
             "parties": [("plaintiff", "Pacific Crest Holdings Limited", "太平峰控股有限公司", "company", True),
                         ("defendant", "Tsim Sha Tsui Investments Limited", "尖沙咀投資有限公司", "company",
                          False)]},
            {"reference": "HL-2025-0019", "title_en": "MA Wai Kin v Sunrise Logistics (HK) Ltd",
             "title_zh": "馬偉健 訴 旭日物流（香港）有限公司", "case_number": "DCEC 1203/2025",
             "practice_area": "employment", "stage": "pleadings", "opened_on": date(2025, 8, 20),
             "parties": [("applicant", "MA Wai Kin", "馬偉健", "person", True),
                         ("respondent", "Sunrise Logistics (HK) Limited", "旭日物流（香港）有限公司", "company",
                          False)]},
        ],
    },
]


class Command(BaseCommand):
    help = "Load the demo firms, people and cases (safe to run again)."

    def handle(self, *args, **options):
        with acting_as(system_actor("seed_demo")):
            for spec in FIRMS:
                self._seed_firm(spec)
            self._seed_person("client@example.com", "Mr CHOW Ka Lok", "周家樂", external_kind="client")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Every demo password is {DEMO_PASSWORD}."))

    def _seed_firm(self, spec):
        firm = self._firm(spec)
        with tenant_scope(firm.pk):
            members = {role: self._member(firm, role, spec["slug"], *names)
                       for role, names in ROLE_PEOPLE.items()}
            team = Team.objects.filter(firm=firm, name=spec["team"][0]).first() or services.team_create(
                firm=firm, name=spec["team"][0], name_zh=spec["team"][1])
            for role in ("partner", "associate", "trainee", "paralegal"):
                if not team.members.filter(membership=members[role]).exists():
                    services.team_member_add(team=team, membership=members[role])
            for case_spec in spec["cases"]:
                if not Case.objects.filter(firm=firm, reference=case_spec["reference"]).exists():
                    self._seed_case(case_spec, members)

    def _seed_case(self, spec, members):
        parties = [{"role": role, "name_en": en, "name_zh": zh, "kind": kind, "is_client": client}
                   for role, en, zh, kind, client in spec.pop("parties")]
        case = case_create(membership=members["associate"], responsible_partner=members["partner"],
                           team=[members["trainee"], members["paralegal"]], parties=parties, **spec)
        # Give the people some of the template's work, so "My work" has something in it.
        today = timezone.localdate()
        leaves = Task.objects.filter(case=case, children__isnull=True).order_by("pk")[:4]
        for offset, (task, who) in enumerate(zip(leaves, ("associate", "trainee", "associate", "paralegal"),
                                                 strict=False)):
            task_update(task=task, membership=members["partner"], assignee=members[who],
                        reviewer=members["partner"], due_date=max(case.opened_on, today + timedelta(days=3 * offset - 2)))
        if leaves:
            task_set_status(task=leaves[0], membership=members["associate"], status=Task.Status.DONE)
        note_add(case=case, membership=members["partner"],
                 body="Client called: please send the draft to @associate before Friday.")

    def _firm(self, spec) -> Firm:
        existing = User.objects.filter(email=f"partner@{spec['slug']}.example").first()
        membership = first_membership_of(existing) if existing else None
        if membership:
            return membership.firm
        with transaction.atomic():
            return services.firm_create(name=spec["name"], slug=spec["slug"], name_zh=spec["name_zh"])

    def _member(self, firm, role, slug, login, name_en, name_zh) -> Membership:
        user = self._seed_person(f"{login}@{slug}.example", name_en, name_zh)
        membership = Membership.objects.filter(firm=firm, user=user).first()
        return membership or services.member_add(firm=firm, user=user, role=role)

    def _seed_person(self, email, name_en, name_zh, external_kind="") -> User:
        user = User.objects.filter(email=email).first()
        if user:
            return user
        with transaction.atomic():
            return services.person_create(email=email, password=DEMO_PASSWORD, name_en=name_en,
                                          name_zh=name_zh, external_kind=external_kind)
