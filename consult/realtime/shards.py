"""Which Redis host carries a group: the shards of the room hub and of the channel layer.

REDIS_URLS (comma separated) lists the hosts, REDIS_URL alone is one, and neither is the embedded
mode (consult/settings.py). A group lives on one host, chosen as channels-redis chooses it, so a
case room's hub channel and its channel-layer group share a Redis, and one host failing touches
only the groups on it. Every process must list the hosts in the same order: the order is the map.
"""

import binascii

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

_urls = None  # redis_urls(), kept: every publish asks, and a Django setting costs ~0.3 µs


def redis_urls():
    """The Redis hosts in shard order; () in the embedded mode."""
    global _urls
    if _urls is None:
        if not settings.REDIS_URL:
            _urls = ()
        else:
            _urls = settings.REDIS_URLS or (settings.REDIS_URL,)
    return _urls


@receiver(setting_changed)
def _forget_urls(setting, **kwargs):
    global _urls
    if setting in ("REDIS_URL", "REDIS_URLS"):
        _urls = None


def shard_of(group, count):
    """channels_redis.utils._consistent_hash: the CRC-32's low 12 bits spread over the ring.

    One host costs nothing; several cost one crc32 of the name (about 0.1 µs)."""
    if count == 1:
        return 0
    return int((binascii.crc32(group.encode()) & 0xFFF) / (4096 / count))


def redis_channel(group):
    """The room hub's pub/sub channel of a group, on the group's shard."""
    return f"{settings.CHANNEL_PREFIX}.room.{group}"


def control_channel():
    """Revocations (consult/realtime/revocation.py), on every shard. Not under `.room.`: no group
    name can collide with it."""
    return f"{settings.CHANNEL_PREFIX}.rooms-control"
