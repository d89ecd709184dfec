from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "consult.oncall"
    label = "oncall"
