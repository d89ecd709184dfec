from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """Shared rules of the clinical records (risk, safety plan, guidance, reviews): no models."""

    name = "consult.records"
    label = "records"
