from django.urls import path

from consult.falsealarms import views

urlpatterns = [
    path("", views.false_alarm_list, name="false-alarms"),
    path("<int:confirmation_id>/redact/", views.false_alarm_redact, name="false-alarm-redact"),
]
