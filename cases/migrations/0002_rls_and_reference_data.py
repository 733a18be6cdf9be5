from django.db import migrations

from cases.data.court_prefixes import COURT_PREFIXES
from cases.data.templates import DEFAULT_TEMPLATES
from firms.rls import EnableFirmRLS


def load_court_prefixes(apps, schema_editor):
    CourtPrefix = apps.get_model("cases", "CourtPrefix")
    using = schema_editor.connection.alias
    for prefix, court, description_en, description_zh in COURT_PREFIXES:
        CourtPrefix.objects.using(using).update_or_create(prefix=prefix, defaults={
            "court": court, "description_en": description_en, "description_zh": description_zh})


def give_existing_firms_the_default_templates(apps, schema_editor):
    """Firms made before templates existed get them too (new firms get them on creation)."""
    Firm = apps.get_model("firms", "Firm")
    TaskTemplate = apps.get_model("cases", "TaskTemplate")
    connection = schema_editor.connection
    using = connection.alias
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.platform', 'on', true)")
    for firm_id in list(Firm.objects.using(using).values_list("pk", flat=True)):
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.firm_id', %s, true)", [str(firm_id)])
        for template in DEFAULT_TEMPLATES:
            TaskTemplate.objects.using(using).get_or_create(firm_id=firm_id, name=template["name"], defaults={
                "name_zh": template["name_zh"], "steps": template["steps"],
                "case_number_prefixes": template["case_number_prefixes"]})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial"), ("firms", "0003_notification")]

    operations = [
        EnableFirmRLS("cases_case"),
        EnableFirmRLS("cases_caseteammember"),
        EnableFirmRLS("cases_caseuserobjectpermission"),
        EnableFirmRLS("cases_party"),
        EnableFirmRLS("cases_conflictcheck"),
        EnableFirmRLS("cases_note"),
        EnableFirmRLS("cases_notemention"),
        EnableFirmRLS("cases_task"),
        EnableFirmRLS("cases_tasktemplate"),
        migrations.RunPython(load_court_prefixes, migrations.RunPython.noop),
        migrations.RunPython(give_existing_firms_the_default_templates, migrations.RunPython.noop),
    ]
