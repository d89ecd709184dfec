from django.urls import path

from consult.records.safety import views

urlpatterns = [
    path("", views.plan_current, name="safety-plan"),
    path("edit/", views.plan_edit, name="safety-plan-edit"),
    path("compare/", views.plan_compare, name="safety-plan-compare"),
    path("v<int:version>/", views.plan_version, name="safety-plan-version"),
    path("v<int:version>/print/", views.plan_print, name="safety-plan-print"),
]
