from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self):
        from firms.db_roles import register_definer_function

        post_migrate.connect(load_court_prefixes, sender=self, dispatch_uid="caseroom-court-prefixes")
        # Created by migration 0004_search_functions (why: docs/performance.md, search).
        register_definer_function("case_search_ids(text, text)", reads={
            "cases_case": ("id", "firm_id", "title_en", "title_zh", "reference", "case_number"),
            "cases_party": ("case_id", "firm_id", "name_en", "name_zh"),
        })
        register_definer_function("party_conflict_ids(text, text, text[], bigint)", reads={
            "cases_party": ("id", "case_id", "firm_id", "name_en", "name_zh"),
        })


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
