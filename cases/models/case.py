"""Cases (matters), their parties and team, and the court prefixes case numbers use."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from firms.models import FirmOwned, Membership


class Court(models.TextChoices):
    CFA = "CFA", _("Court of Final Appeal")
    CA = "CA", _("Court of Appeal")
    CFI = "CFI", _("Court of First Instance")
    DC = "DC", _("District Court")
    FC = "FC", _("Family Court")
    LT = "LT", _("Labour Tribunal")
    SCT = "SCT", _("Small Claims Tribunal")
    LDT = "LDT", _("Lands Tribunal")
    CT = "CT", _("Competition Tribunal")


class CourtPrefix(models.Model):
    """A Judiciary case-number prefix (HCA, DCCJ …): reference data shared by all firms."""

    prefix = models.CharField(_("prefix"), max_length=8, unique=True)
    court = models.CharField(_("court"), max_length=4, choices=Court.choices)
    description_en = models.CharField(_("description"), max_length=200)
    description_zh = models.CharField(_("Chinese description"), max_length=200, blank=True)

    class Meta:
        ordering = ["prefix"]

    def __str__(self):
        return self.prefix


class Case(FirmOwned):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting conflict clearance")
        OPEN = "open", _("Open")
        ON_HOLD = "on_hold", _("On hold")
        CLOSED = "closed", _("Closed")

    class Stage(models.TextChoices):
        INTAKE = "intake", _("Intake")
        PRE_ACTION = "pre_action", _("Pre-action")
        PLEADINGS = "pleadings", _("Pleadings")
        INTERLOCUTORY = "interlocutory", _("Interlocutory applications")
        DISCOVERY = "discovery", _("Discovery")
        EVIDENCE = "evidence", _("Witness and expert evidence")
        TRIAL_PREP = "trial_prep", _("Trial preparation")
        TRIAL = "trial", _("Trial")
        POST_JUDGMENT = "post_judgment", _("Judgment and costs")
        APPEAL = "appeal", _("Appeal")
        ENFORCEMENT = "enforcement", _("Enforcement")
        ADVISORY = "advisory", _("Advisory / transaction")
        COMPLETED = "completed", _("Completed")

    class PracticeArea(models.TextChoices):
        CIVIL = "civil", _("Civil litigation")
        COMMERCIAL = "commercial", _("Commercial litigation")
        PERSONAL_INJURY = "personal_injury", _("Personal injury")
        EMPLOYMENT = "employment", _("Employment")
        FAMILY = "family", _("Family and matrimonial")
        PROBATE = "probate", _("Probate and estates")
        PROPERTY = "property", _("Property and conveyancing")
        CORPORATE = "corporate", _("Corporate and commercial")
        INSOLVENCY = "insolvency", _("Insolvency")
        IP = "ip", _("Intellectual property")
        ARBITRATION = "arbitration", _("Arbitration")
        CRIMINAL = "criminal", _("Criminal")
        OTHER = "other", _("Other")

    reference = models.CharField(_("our reference"), max_length=40)
    title_en = models.CharField(_("title"), max_length=300)
    title_zh = models.CharField(_("Chinese title"), max_length=300, blank=True)
    case_number = models.CharField(_("court case number"), max_length=32, blank=True)
    case_number_unlisted_prefix = models.BooleanField(
        _("prefix not in our list"), default=False,
        help_text=_("The case number's prefix is not one we know; it was accepted on purpose."),
    )
    court = models.CharField(_("court"), max_length=4, choices=Court.choices, blank=True)
    practice_area = models.CharField(_("practice area"), max_length=30, choices=PracticeArea.choices,
                                     default=PracticeArea.CIVIL)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.INTAKE)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    opened_on = models.DateField(_("opened"), default=timezone.localdate)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    responsible_partner = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("responsible partner"),
    )
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True, verbose_name=_("tags"))
    # Kept by the task services, so lists show progress without reading every task.
    tasks_total = models.PositiveIntegerField(default=0, editable=False)
    tasks_done = models.PositiveIntegerField(default=0, editable=False)
    last_activity_at = models.DateTimeField(default=timezone.now, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint("firm", "reference", name="case_reference_unique_in_firm"),
            models.UniqueConstraint(
                "firm", "case_number", name="case_number_unique_in_firm",
                condition=~models.Q(case_number=""),
            ),
        ]
        indexes = [
            models.Index(fields=["firm", "status", "-opened_on"], name="case_firm_status_idx"),
            models.Index(fields=["firm", "-opened_on", "-id"], name="case_firm_opened_idx"),
            # icontains compiles to UPPER(column) LIKE UPPER(%s): the search indexes must be on
            # UPPER(column) for the planner to use them.
            GinIndex(OpClass(Upper("title_en"), name="gin_trgm_ops"), name="case_title_en_upper_trgm"),
            GinIndex(OpClass(Upper("title_zh"), name="gin_trgm_ops"), name="case_title_zh_upper_trgm"),
            GinIndex(OpClass(Upper("case_number"), name="gin_trgm_ops"), name="case_number_upper_trgm"),
            GinIndex(OpClass(Upper("reference"), name="gin_trgm_ops"), name="case_reference_upper_trgm"),
        ]
        permissions = [("view_case_exception", "May see this case though not on its team")]

    def __str__(self):
        return f"{self.reference} {self.title_en}"

    @property
    def display_title(self) -> str:
        return " ".join(t for t in (self.title_zh, self.title_en) if t)

    @property
    def progress_percent(self) -> int | None:
        if not self.tasks_total:
            return None
        return round(100 * self.tasks_done / self.tasks_total)


class CaseTeamMember(FirmOwned):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="case_links")
    is_supervisor = models.BooleanField(_("supervises"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint("firm", "case", "membership", name="case_team_member_unique_in_firm")
        ]
        indexes = [models.Index(fields=["firm", "membership", "case"], name="case_team_by_member_idx")]

    def __str__(self):
        return f"{self.membership} on {self.case}"


class CaseUserObjectPermission(FirmOwned, UserObjectPermissionBase):
    """django-guardian grants on one case (an exception to the team rule), firm-owned."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        unique_together = [("firm", "user", "permission", "content_object")]


class Party(FirmOwned):
    class Role(models.TextChoices):
        PLAINTIFF = "plaintiff", _("Plaintiff")
        DEFENDANT = "defendant", _("Defendant")
        APPLICANT = "applicant", _("Applicant")
        RESPONDENT = "respondent", _("Respondent")
        PETITIONER = "petitioner", _("Petitioner")
        APPELLANT = "appellant", _("Appellant")
        THIRD_PARTY = "third_party", _("Third party")
        INTERESTED_PARTY = "interested_party", _("Interested party")
        CLAIMANT = "claimant", _("Claimant")
        DECEASED = "deceased", _("Deceased")
        COUNTERPARTY = "counterparty", _("Counterparty")
        OTHER = "other", _("Other")

    class Kind(models.TextChoices):
        PERSON = "person", _("Individual")
        COMPANY = "company", _("Company or organisation")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    name_en = models.CharField(_("name in English"), max_length=300, blank=True)
    name_zh = models.CharField(_("name in Chinese"), max_length=300, blank=True)
    is_client = models.BooleanField(_("our client"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.CheckConstraint(condition=~models.Q(name_en="", name_zh=""), name="party_has_a_name"),
        ]
        indexes = [
            models.Index(fields=["firm", "case"], name="party_case_idx"),
            # The conflict search's "their Chinese name inside the searched one": equality
            # against each part of the searched name (cases/selectors/conflicts.py).
            models.Index(fields=["firm", "name_zh"], name="party_firm_name_zh_idx"),
            # The conflict search uses name_en % … (trigram similarity) and name_zh LIKE;
            # the case search uses UPPER(name) LIKE.
            GinIndex(fields=["name_en"], name="party_name_en_trgm", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["name_zh"], name="party_name_zh_trgm", opclasses=["gin_trgm_ops"]),
            GinIndex(OpClass(Upper("name_en"), name="gin_trgm_ops"), name="party_name_en_upper_trgm"),
            GinIndex(OpClass(Upper("name_zh"), name="gin_trgm_ops"), name="party_name_zh_upper_trgm"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return " ".join(n for n in (self.name_zh, self.name_en) if n)
