from django.urls import path

from consult.records.followups import views

urlpatterns = [
    path("new/", views.followup_new, name="followup-new"),
    path("<int:followup_id>/complete/", views.followup_done, name="followup-complete"),
]
