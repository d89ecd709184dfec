from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "consult.records.risk"
    label = "risk"
