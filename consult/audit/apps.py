from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "consult.audit"
    label = "audit"
