from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "consult.accounts"
    label = "accounts"

    def ready(self):
        from consult.accounts import signals  # noqa: F401  (security events from auth signals)
