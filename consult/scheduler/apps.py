from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    name = "consult.scheduler"
    label = "scheduler"
