"""The deadline engine's data: rules (editable per firm), holidays, closures, limitation."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firms.models import FirmOwned


class DeadlineRule(FirmOwned):
    """A period under the rules of court, kept as data each firm can correct."""

    class Court(models.TextChoices):
        HC = "HC", _("High Court")
        DC = "DC", _("District Court")
        ANY = "ANY", _("Any court")

    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    citation = models.CharField(_("citation"), max_length=200)
    trigger = models.CharField(_("counted from"), max_length=200)
    days = models.PositiveIntegerField(_("days"), default=0)
    months = models.PositiveIntegerField(_("months"), default=0)
    clear_days = models.BooleanField(_("clear days"), default=False)
    before = models.BooleanField(_("before the trigger date"), default=False)
    court_office = models.BooleanField(_("an act at a court office"), default=True)
    pleading = models.BooleanField(_("a pleading (Summer Vacation not counted)"), default=False)
    court = models.CharField(_("court"), max_length=3, choices=Court.choices, default=Court.ANY)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint("firm", "code", name="deadline_rule_code_unique_in_firm")]

    def __str__(self):
        return f"{self.name} ({self.citation})"


class HolidayAdjustment(FirmOwned):
    """A general holiday the `holidays` package lacks (added) or has wrongly (removed)."""

    date = models.DateField(_("date"))
    is_holiday = models.BooleanField(_("is a general holiday"), default=True)
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint("firm", "date", name="holiday_adjustment_unique_in_firm")]

    def __str__(self):
        return f"{self.date} {'+' if self.is_holiday else '-'}"


class RegistryClosure(FirmOwned):
    """A day the Registry closed (typhoon signal No. 8, black rainstorm, other), as announced."""

    class Kind(models.TextChoices):
        GALE = "gale", _("Gale warning (typhoon signal No. 8 or above)")
        BLACK_RAIN = "black_rain", _("Black rainstorm warning")
        OTHER = "other", _("Other closure")

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    courts = ArrayField(models.CharField(max_length=3), default=list, blank=True,
                        verbose_name=_("courts (empty: all)"))
    closed_from = models.TimeField(_("closed from"), null=True, blank=True)
    closed_until = models.TimeField(_("closed until"), null=True, blank=True)
    reason = models.CharField(_("announcement"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint("firm", "date", "kind", name="closure_unique_in_firm")]

    def __str__(self):
        return f"{self.date} {self.kind}"


class LimitationRule(FirmOwned):
    """A limitation period (Limitation Ordinance, Cap. 347), shown as a warning with its basis."""

    code = models.SlugField(max_length=60)
    name = models.CharField(_("cause of action"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    citation = models.CharField(_("citation"), max_length=200)
    years = models.PositiveIntegerField(_("years"))
    counted_from = models.CharField(_("counted from"), max_length=200)
    caution = models.TextField(_("caution"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint("firm", "code", name="limitation_rule_code_unique_in_firm")]

    def __str__(self):
        return self.name
