from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self):
        post_migrate.connect(load_court_prefixes, sender=self, dispatch_uid="caseroom-court-prefixes")


def load_court_prefixes(sender=None, using="default", **kwargs):
    """Court prefixes are reference data kept in cases/data/court_prefixes.py: after every
    migrate (and every test flush) the table matches the file."""
    from cases.data.court_prefixes import COURT_PREFIXES
    from cases.models import CourtPrefix

    known = {p.prefix: p for p in CourtPrefix.objects.using(using).all()}
    for prefix, court, description_en, description_zh in COURT_PREFIXES:
        row = known.get(prefix)
        wanted = {"court": court, "description_en": description_en, "description_zh": description_zh}
        if row is None:
            CourtPrefix.objects.using(using).create(prefix=prefix, **wanted)
        elif any(getattr(row, field) != value for field, value in wanted.items()):
            CourtPrefix.objects.using(using).filter(pk=row.pk).update(**wanted)
