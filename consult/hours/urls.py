from django.urls import path

from consult.hours import views

urlpatterns = [
    path("", views.hours_page, name="hours"),
    path("<int:user_id>/", views.hours_page, name="hours-of"),
    path("<int:user_id>.csv", views.hours_csv, name="hours-csv"),
]
