from django.urls import path

from consult.audit import views

urlpatterns = [
    path("", views.case_audit, name="case-audit"),
    path("export.jsonl", views.case_audit_export, name="case-audit-export"),
]
