from django.apps import AppConfig


class EmergencyConfig(AppConfig):
    name = "consult.emergency"
    label = "emergency"
