from django.urls import path

from consult.dashboard import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
]
