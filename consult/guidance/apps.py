from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "consult.guidance"
    label = "guidance"
