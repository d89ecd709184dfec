from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "consult.followups"
    label = "followups"
