from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "consult.cases"
    label = "cases"
