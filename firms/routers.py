class MigrateAsOwnerRouter:
    """Tables are created by the owner role; the app role only reads and writes them."""

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "owner"
