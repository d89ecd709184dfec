from django.apps import AppConfig


class DeidConfig(AppConfig):
    name = "consult.deid"
    label = "deid"
