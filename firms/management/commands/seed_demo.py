"""Demo data: two firms, one person of every role in each, a client, and a few HK cases.

Idempotent: running it again finds what is there and adds only what is missing.
"""

from datetime import date

from django.core.management.base import BaseCommand
from django.db import transaction

from audit.context import acting_as, system_actor
from cases.models import Case
from cases.services import case_create, case_team_add
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
            ("CL-2024-0012", "Wing Fat Trading Ltd v Golden Harbour Shipping Co Ltd",
             "永發貿易有限公司 訴 金港航運有限公司", "HCA 1234/2024", "Court of First Instance",
             "Commercial litigation", date(2024, 5, 6)),
            ("CL-2025-0031", "CHEUNG Siu Fong v Kowloon Bay Property Management Ltd",
             "張小芳 訴 九龍灣物業管理有限公司", "DCPI 567/2025", "District Court",
             "Personal injury", date(2025, 2, 17)),
            ("CL-2025-0044", "Re the estate of LEUNG Chi Keung, deceased",
             "梁志強（已故）遺產", "HCAP 88/2025", "Court of First Instance", "Probate",
             date(2025, 6, 2)),
        ],
    },
    {
        "slug": "harbour", "name": "Harbour Legal LLP", "name_zh": "海港律師事務所",
        "team": ("Disputes", "爭議解決組"),
        "cases": [
            ("HL-2025-0007", "Pacific Crest Holdings Ltd v Tsim Sha Tsui Investments Ltd",
             "太平峰控股有限公司 訴 尖沙咀投資有限公司", "HCCL 21/2025",
             "Court of First Instance", "Commercial", date(2025, 3, 11)),
            ("HL-2025-0019", "MA Wai Kin v Sunrise Logistics (HK) Ltd", "馬偉健 訴 旭日物流（香港）有限公司",
             "DCEC 1203/2025", "District Court", "Employees' compensation", date(2025, 8, 20)),
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
            for reference, title_en, title_zh, number, court, area, opened in spec["cases"]:
                case = Case.objects.filter(firm=firm, reference=reference).first() or case_create(
                    firm=firm, reference=reference, title_en=title_en, title_zh=title_zh,
                    case_number=number, court=court, practice_area=area,
                    responsible_partner=members["partner"], opened_on=opened)
                case_team_add(case=case, membership=members["partner"], is_supervisor=True)
                case_team_add(case=case, membership=members["associate"])
                case_team_add(case=case, membership=members["trainee"])

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
