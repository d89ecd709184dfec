"""Riding out a Channels-layer (Redis) outage on an open socket, instead of dying with 1011.

Channels runs a consumer as one loop over two inputs, the client and the layer; a layer receive
that raises ends the consumer, and Daphne closes the socket with 1011. A Consult socket's layer
receive is wrapped instead (steps):
  1. a receive fails: the socket is marked degraded and told so (`layer_lost`);
  2. every RETRY seconds (backing off), and at once when the room hub of its process has Redis
     again (`redis_is_back`), it joins its groups again: Redis may have restarted empty, and a
     successful group_add is also the sign that it is back (with shards, together with a ping
     of the shard it receives from: `receive_shard_answers`);
  3. once back (`layer_back`) the socket decides its access again from the database (a
     revocation published meanwhile reached nobody) and resynchronises its client;
  4. then it receives as before.
Frames sent to its groups while Redis was away are lost, as the layer's at-most-once delivery
always allowed: the resync in step 3 is what makes up for them.
"""

import asyncio
import logging

log = logging.getLogger(__name__)

RETRY_FIRST_SECONDS, RETRY_MAX_SECONDS = 0.2, 2.0
# Sockets waiting for Redis, woken together when the hub's own reconnect succeeds, so they do
# not each sit out the rest of their backoff (one event loop per process: no lock needed).
_waiting = set()


def redis_is_back():
    for waiter in list(_waiting):
        if not waiter.done():
            waiter.set_result(None)


async def _pause(delay):
    waiter = asyncio.get_running_loop().create_future()
    _waiting.add(waiter)
    try:
        await asyncio.wait_for(waiter, delay)
    except TimeoutError:
        pass
    finally:
        _waiting.discard(waiter)


async def receive_shard_answers(layer, channel_name):
    """Raise unless the Redis this process receives from answers. channels-redis receives all
    of a process's channels from one shard (the hash of their shared prefix): with several, a
    group_add on another shard succeeding says nothing about it, and the socket would flap
    between degraded and live (each time resyncing from the database) until it is back."""
    if getattr(layer, "ring_size", 1) > 1:
        shard = layer.consistent_hash(layer.non_local_name(channel_name))
        await layer.connection(shard).ping()


def receive_through_outages(receive, socket):
    async def receive_when_back():
        delay = RETRY_FIRST_SECONDS
        while True:
            try:
                message = await receive()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - a layer error must not end the socket
                await _wait_until_back(socket, error, delay)
                delay = min(delay * 2, RETRY_MAX_SECONDS)
                continue
            return message

    return receive_when_back


async def _wait_until_back(socket, error, delay):
    if not socket.layer_degraded:
        socket.layer_degraded = True
        log.warning("%s lost the channel layer (%s)", type(socket).__name__, type(error).__name__)
        await socket.layer_lost()
    while True:
        await _pause(delay)
        try:
            await socket.rejoin_groups()
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - still away
            delay = min(delay * 2, RETRY_MAX_SECONDS)
            continue
        socket.layer_degraded = False
        await socket.layer_back()
        return
