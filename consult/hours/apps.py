from django.apps import AppConfig


class HoursConfig(AppConfig):
    name = "consult.hours"
    label = "hours"
