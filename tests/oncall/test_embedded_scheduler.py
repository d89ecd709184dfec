"""`make run` without Redis: the web process escalates pages itself, onto its own sockets."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from consult.asgi import application
from consult.oncall.consults import consult_request
from consult.oncall.models import TeamPagingSettings
from consult.scheduler.embedded import WithEmbeddedScheduler
from tests.support.sockets import ORIGIN, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


async def notification_socket(app, user):
    cookie = await database_sync_to_async(session_cookie)(user)
    ws = WebsocketCommunicator(
        app,
        "/ws/me/",
        headers=[
            (b"origin", ORIGIN),
            (b"host", b"127.0.0.1:8000"),
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
        ],
    )
    assert (await ws.connect(timeout=5))[0]
    return ws


async def next_page(ws, timeout):
    async with asyncio.timeout(timeout):
        while True:
            frame = await ws.receive_json_from(timeout=timeout)
            if frame["type"] == "page":
                return frame


async def test_it_escalates_to_the_backup_from_inside_the_web_process(
    settings, alice, dave, rota, north_case
):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    await database_sync_to_async(TeamPagingSettings.objects.filter(team=north_case.team).update)(
        ack_seconds=1
    )
    app = WithEmbeddedScheduler(application)
    dave_ws = await notification_socket(app, dave)

    await database_sync_to_async(consult_request)(
        actor=alice, kind="urgent", case_code=north_case.code, question="Client has a plan tonight."
    )
    page = await next_page(dave_ws, timeout=8)  # the backup, after the primary's 1 s deadline

    assert page["page"]["tier"] == 2
    app.task.cancel()
    await dave_ws.disconnect()
