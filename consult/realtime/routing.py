from django.urls import path

from consult.realtime.consumers import CaseRoomConsumer
from consult.realtime.notifications import NotificationConsumer
from consult.realtime.reviews import ReviewRoomConsumer

websocket_urlpatterns = [
    path("ws/cases/<str:code>/", CaseRoomConsumer.as_asgi()),
    path("ws/me/", NotificationConsumer.as_asgi()),
    path("ws/reviews/<int:session_id>/", ReviewRoomConsumer.as_asgi()),
]
