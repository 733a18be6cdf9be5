"""Firms (tenants), their offices, teams and members, and the people who sign in."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Firm(models.Model):
    """A law firm: the tenant. Every firm-owned row points here."""

    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    require_two_factor = models.BooleanField(
        _("require two-factor sign-in"),
        default=False,
        help_text=_("Members must enter a code from an authenticator app when they sign in."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("firm")
        verbose_name_plural = _("firms")

    def __str__(self):
        return self.name


class FirmOwned(models.Model):
    """Base for every firm-owned table: a non-null firm, protected by row-level security.

    The migration that creates a subclass's table must also run
    ``firms.rls.EnableFirmRLS(<table>)``; tests/security/test_rls.py fails for any
    firm-owned table without a forced policy.
    """

    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, related_name="+", verbose_name=_("firm"))

    class Meta:
        abstract = True


class Office(FirmOwned):
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    address = models.TextField(_("address"), blank=True)

    class Meta:
        verbose_name = _("office")
        constraints = [models.UniqueConstraint("firm", "name", name="office_name_unique_in_firm")]

    def __str__(self):
        return self.name


class Team(FirmOwned):
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    office = models.ForeignKey(Office, on_delete=models.SET_NULL, null=True, blank=True, related_name="teams")

    class Meta:
        verbose_name = _("team")
        constraints = [models.UniqueConstraint("firm", "name", name="team_name_unique_in_firm")]

    def __str__(self):
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: a firm's member (through a Membership) or an external person."""

    class ExternalKind(models.TextChoices):
        CLIENT = "client", _("Client")
        ACCOUNTANT = "accountant", _("Accountant")
        EXPERT = "expert", _("Expert witness")
        COUNSEL = "counsel", _("Counsel of another firm")

    email = models.EmailField(_("e-mail address"), unique=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    name_zh = models.CharField(_("name in Chinese"), max_length=200, blank=True)
    external_kind = models.CharField(
        _("external person's kind"), max_length=20, choices=ExternalKind.choices, blank=True
    )
    language = models.CharField(
        _("language"), max_length=10, choices=[("en", "English"), ("zh-hant", "繁體中文")], default="en"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("platform staff"), default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        """Both names where both exist: 陳大文 CHAN Tai Man."""
        names = " ".join(n for n in (self.name_zh, self.name_en) if n)
        return names or self.email

    @property
    def is_external(self) -> bool:
        return bool(self.external_kind)


class Membership(FirmOwned):
    """A person's place in a firm, with the role that decides what they may do."""

    class Role(models.TextChoices):
        PARTNER = "partner", _("Partner")
        ASSOCIATE = "associate", _("Associate")
        TRAINEE = "trainee", _("Trainee solicitor")
        PARALEGAL = "paralegal", _("Paralegal")
        SECRETARY = "secretary", _("Secretary")
        COMPLIANCE = "compliance", _("Compliance officer")
        ADMIN = "admin", _("Firm admin")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    office = models.ForeignKey(Office, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    title = models.CharField(_("title"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("membership")
        constraints = [models.UniqueConstraint("firm", "user", name="membership_unique_in_firm")]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"

    @property
    def sees_whole_firm(self) -> bool:
        return self.role in {self.Role.PARTNER, self.Role.ADMIN, self.Role.COMPLIANCE}


class TeamMember(FirmOwned):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="team_links")

    class Meta:
        constraints = [
            models.UniqueConstraint("firm", "team", "membership", name="team_member_unique_in_firm")
        ]

    def __str__(self):
        return f"{self.membership} in {self.team}"


class Notification(FirmOwned):
    """Something a member should see: an @mention, a task given to them, a deadline moved."""

    class Kind(models.TextChoices):
        MENTION = "mention", _("Mention")
        TASK_ASSIGNED = "task_assigned", _("Task assigned")
        TASK_REVIEW = "task_review", _("Task to review")
        CONFLICT = "conflict", _("Conflict check")
        DEADLINE_MOVED = "deadline_moved", _("Deadline moved")
        REMINDER = "reminder", _("Reminder")
        DEADLINE_MISSED = "deadline_missed", _("Missed deadline")
        OTHER = "other", _("Other")

    recipient = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    url = models.CharField(_("link"), max_length=500, blank=True)
    case_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        indexes = [models.Index(fields=["firm", "recipient", "read_at", "-created_at"],
                                name="notification_inbox_idx")]

    def __str__(self):
        return self.title
