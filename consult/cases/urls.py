from django.urls import path

from consult.cases import edit_views, views

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("new/", views.case_new, name="case-new"),
    path("search/", views.message_search, name="message-search"),
    path("<str:code>/", views.case_room, name="case-room"),
    path("<str:code>/edit/", edit_views.case_edit, name="case-edit"),
]
