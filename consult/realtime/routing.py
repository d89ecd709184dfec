from django.urls import path

from consult.realtime.consumers import CaseRoomConsumer

websocket_urlpatterns = [
    path("ws/cases/<str:code>/", CaseRoomConsumer.as_asgi()),
]
