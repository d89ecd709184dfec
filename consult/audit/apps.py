from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "consult.audit"
    label = "audit"

    def ready(self):
        from consult.audit import checks  # noqa: F401  (registers the role check)
