from django.db import transaction

from cases.data.templates import DEFAULT_TEMPLATES
from cases.models import TaskTemplate


@transaction.atomic
def task_templates_install_defaults(*, firm_id: int) -> None:
    """A new firm starts with the standard checklists, which it may then edit."""
    for template in DEFAULT_TEMPLATES:
        TaskTemplate.objects.get_or_create(firm_id=firm_id, name=template["name"], defaults={
            "name_zh": template["name_zh"], "steps": template["steps"],
            "case_number_prefixes": template["case_number_prefixes"]})
