from django.urls import path

from consult.cases import edit_views, trail_views, views

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("new/", views.case_new, name="case-new"),
    path("search/", views.message_search, name="message-search"),
    path("<str:code>/", views.case_room, name="case-room"),
    path("<str:code>/edit/", edit_views.case_edit, name="case-edit"),
    path("<str:code>/audit/", trail_views.case_audit, name="case-audit"),
    path("<str:code>/audit/export.jsonl", trail_views.case_audit_export, name="case-audit-export"),
]
