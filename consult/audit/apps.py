from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "consult.audit"
    label = "audit"

    def ready(self):
        from consult.audit import checks  # noqa: F401  (registers the role check)
        from consult.audit.triggers import APPEND_ONLY_TABLES
        from consult.core.dbroles import append_only

        append_only(*APPEND_ONLY_TABLES)
