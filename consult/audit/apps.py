from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "consult.audit"
    label = "audit"

    def ready(self):
        from consult.audit import signals  # noqa: F401  (connects the membership receivers)
