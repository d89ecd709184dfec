from django.urls import path

from consult.records.guidance import views

urlpatterns = [
    path("", views.guidance_log, name="guidance-log"),
    path("panel/", views.records_panel, name="records-panel"),
    path("<int:entry_id>/amend/", views.guidance_amend, name="guidance-amend"),
    path("<int:entry_id>/ack/", views.guidance_acknowledge, name="guidance-ack"),
]
