"""A small memo for pure functions of one word, cheap for the garbage collector.

functools.lru_cache keeps a linked list of Python lists (one per entry) that every full
collection walks; a plain dict of strings to tuples of strings, ints and bools is dropped from the
collector's tracking. The memo is emptied when full, so odd input cannot grow it without bound.
"""

from __future__ import annotations

from collections.abc import Callable


def memo(limit: int) -> Callable:
    def wrap(fn: Callable) -> Callable:
        cache: dict = {}

        def cached(*args):
            try:
                return cache[args]
            except KeyError:
                if len(cache) >= limit:
                    cache.clear()
                value = cache[args] = fn(*args)
                return value

        cached.__wrapped__ = fn
        cached.__doc__ = fn.__doc__
        return cached

    return wrap
