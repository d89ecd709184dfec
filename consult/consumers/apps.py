from django.apps import AppConfig


class ConsumersConfig(AppConfig):
    name = "consult.consumers"
    label = "consumers"
