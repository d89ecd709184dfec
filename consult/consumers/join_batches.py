"""Room joins from this process's sockets reach the database in batches (consult/realtime/
batches.py): the rooms of a whole batch read in one statement (rooms.rooms_join), their presence
rows and events written in one pipelined transaction, the room frames it publishes sent to Redis
together; and the rooms sockets subscribe to before they join looked up by code in one statement
(rooms.rooms_of)."""

from django.conf import settings

from consult.cases import rooms
from consult.core.loops import one_per_event_loop
from consult.realtime import hub
from consult.realtime.batches import DatabaseBatches


def join_each(requests):
    with hub.publishes_batched():
        return rooms.rooms_join(requests)


join_batches = one_per_event_loop(
    lambda loop: DatabaseBatches(join_each, queue_seconds=settings.HANDSHAKE_QUEUE_SECONDS)
)


room_batches = one_per_event_loop(
    lambda loop: DatabaseBatches(rooms.rooms_of, queue_seconds=settings.HANDSHAKE_QUEUE_SECONDS)
)
