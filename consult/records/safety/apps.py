from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "consult.records.safety"
    label = "safety"
