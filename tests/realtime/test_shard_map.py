"""A group's Redis shard is the one channels-redis picks for it, so a room's hub channel and its
channel-layer group share a host; one host is always shard 0, without hashing."""

import pytest
from channels_redis.utils import _consistent_hash

from consult.realtime.shards import redis_urls, shard_of


@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_it_maps_a_group_as_channels_redis_does(count):
    for group in [f"case.{n}" for n in range(200)] + ["team.7", "session.ab12", "é"]:
        assert shard_of(group, count) == _consistent_hash(group, count)


def test_it_spreads_rooms_over_both_shards():
    on = [shard_of(f"case.{n}", 2) for n in range(1000)]
    assert 400 < on.count(0) < 600


def test_redis_urls_replaces_redis_url_and_nothing_is_the_embedded_mode(settings):
    settings.REDIS_URL, settings.REDIS_URLS = "redis://one/0", ()
    assert redis_urls() == ("redis://one/0",)
    settings.REDIS_URLS = ("redis://one/0", "redis://two/0")
    assert redis_urls() == ("redis://one/0", "redis://two/0")
    settings.REDIS_URL = ""  # the switch: tests and `make run` turn Redis off with it alone
    assert redis_urls() == ()
