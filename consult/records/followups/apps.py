from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "consult.records.followups"
    label = "followups"
