from django.db import migrations

from calendar_sync.data.deadline_rules import DEFAULT_DEADLINE_RULES
from calendar_sync.data.limitation_rules import DEFAULT_LIMITATION_RULES


def give_existing_firms_the_default_rules(apps, schema_editor):
    """Firms made before the rule library existed get it too (new firms get it on creation,
    calendar_sync.deadlines.services.deadline_rules_install_defaults). Codes a firm already
    has are left as they are."""
    Firm = apps.get_model("firms", "Firm")
    DeadlineRule = apps.get_model("calendar_sync", "DeadlineRule")
    LimitationRule = apps.get_model("calendar_sync", "LimitationRule")
    connection = schema_editor.connection
    using = connection.alias
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.platform', 'on', true)")
    for firm_id in list(Firm.objects.using(using).values_list("pk", flat=True)):
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.firm_id', %s, true)", [str(firm_id)])
        libraries = ((DeadlineRule, DEFAULT_DEADLINE_RULES), (LimitationRule, DEFAULT_LIMITATION_RULES))
        for model, rules in libraries:
            for rule in rules:
                model.objects.using(using).get_or_create(
                    firm_id=firm_id, code=rule["code"],
                    defaults={name: value for name, value in rule.items() if name != "code"})


class Migration(migrations.Migration):
    dependencies = [("calendar_sync", "0002_row_level_security"), ("firms", "0003_notification")]

    operations = [
        migrations.RunPython(give_existing_firms_the_default_rules, migrations.RunPython.noop),
    ]
