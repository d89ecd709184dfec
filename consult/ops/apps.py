from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Health endpoints and metrics for the load balancer and the operator: no clinical data."""

    name = "consult.ops"
    label = "ops"
