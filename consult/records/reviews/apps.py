from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "consult.records.reviews"
    label = "reviews"
