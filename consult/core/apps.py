from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "consult.core"
    label = "core"

    def ready(self):
        from consult.core import checks  # noqa: F401  registers the system checks
