from django.urls import path

from consult.records.risk import views

urlpatterns = [
    path("", views.risk_picture, name="risk-picture"),
]
