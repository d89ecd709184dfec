from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "consult.risk"
    label = "risk"
