from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "consult.safety"
    label = "safety"
