from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"

    def ready(self):
        from firms.db_roles import register_definer_function

        # Created by migration 0002_search_function (docs/architecture.md, search).
        register_definer_function("document_search_ids(text)", reads={
            "documents_documentversion": ("document_id", "firm_id", "text"),
        })
