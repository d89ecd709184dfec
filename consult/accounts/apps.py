from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "consult.accounts"
    label = "accounts"
