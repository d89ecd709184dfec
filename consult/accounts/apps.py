from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "consult.accounts"
    label = "accounts"

    def ready(self):
        # Security events from auth signals; session rows; revocation when access changes.
        from consult.accounts import access_changes, session_signals, signals  # noqa: F401
