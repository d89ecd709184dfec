from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "consult.records.guidance"
    label = "guidance"
