"""What this process's room sockets ask of the database, in batches (consult/realtime/
batches.py): in a burst of joins, a reconnect storm or just 5,000 open sockets, each of these was
a statement and a thread hop per socket.
- the room a socket subscribes to before it joins, looked up by code (rooms.rooms_of);
- the join: the rooms of a whole batch read in one statement, their presence rows and events
  written in one pipelined transaction, the room frames it publishes sent to Redis together
  (rooms.rooms_join);
- the leave: presence rows deleted in one statement, one presence frame per room left
  (rooms.rooms_leave); nobody waits on it, so it goes after joins and reads;
- the presence refresh every PRESENCE_REFRESH_SECONDS (rooms.presences_refresh).
"""

from django.conf import settings

from consult.cases import rooms
from consult.core.loops import one_per_event_loop
from consult.realtime import hub
from consult.realtime.batches import DatabaseBatches
from consult.realtime.workers import BACKGROUND


def join_each(requests):
    with hub.publishes_batched():
        return rooms.rooms_join(requests)


def leave_each(channel_names):
    with hub.publishes_batched():
        return rooms.rooms_leave(channel_names)


def _batches(run_batch, **options):
    # A handshake waits its turn (and a leave, in a storm, as long as a join may).
    return one_per_event_loop(
        lambda loop: DatabaseBatches(
            run_batch, queue_seconds=settings.HANDSHAKE_QUEUE_SECONDS, **options
        )
    )


room_id_batches = _batches(rooms.rooms_of)
join_batches = _batches(join_each)
# A socket that closed is leaving anyway: its leave runs though nobody awaits it.
leave_batches = _batches(leave_each, priority=BACKGROUND, runs_abandoned=True)
refresh_batches = _batches(rooms.presences_refresh, priority=BACKGROUND)
