from django.urls import path

from consult.consumers.case_room import CaseRoomConsumer
from consult.consumers.notifications import NotificationConsumer
from consult.consumers.review_room import ReviewRoomConsumer

websocket_urlpatterns = [
    path("ws/cases/<str:code>/", CaseRoomConsumer.as_asgi()),
    path("ws/me/", NotificationConsumer.as_asgi()),
    path("ws/reviews/<int:session_id>/", ReviewRoomConsumer.as_asgi()),
]
