from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FirmsConfig(AppConfig):
    name = "firms"
    verbose_name = _("Firms and people")

    def ready(self):
        from firms import db_roles

        # Grants are infrastructure, not business logic: after every migrate the
        # app role gets exactly the rights it needs on the tables the owner made.
        post_migrate.connect(db_roles.grant_app_role_rights, dispatch_uid="caseroom-grants")
