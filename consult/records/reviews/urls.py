from django.urls import path

from consult.records.reviews import views

urlpatterns = [
    path("", views.review_list, name="review-list"),
    path("new/", views.review_new, name="review-new"),
    path("<int:session_id>/", views.review_room, name="review-room"),
    path("<int:session_id>/open/", views.review_open, name="review-open"),
]
