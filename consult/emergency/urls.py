from django.urls import path

from consult.emergency import views

urlpatterns = [
    path("", views.emergency_request, name="emergency-request"),
    path("review/", views.emergency_review, name="emergency-review"),
]
