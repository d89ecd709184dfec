from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "consult.realtime"
    label = "realtime"

    def ready(self):
        from consult.realtime import signals  # noqa: F401  closes sockets on sign-out
