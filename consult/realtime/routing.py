from django.urls import path

from consult.realtime.consumers import CaseRoomConsumer
from consult.realtime.notifications import NotificationConsumer

websocket_urlpatterns = [
    path("ws/cases/<str:code>/", CaseRoomConsumer.as_asgi()),
    path("ws/me/", NotificationConsumer.as_asgi()),
]
