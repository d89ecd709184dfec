from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "consult.dashboard"
    label = "dashboard"
