"""Counters in the cache that say whether something kept is still current.

A value kept in the cache is stored with the counter (a generation) read
before the rows it was computed from; a write moves the counter on after its
commit. A value computed from rows that a write changes meanwhile is stored
under the old counter and never matches again. A counter the cache has lost
(new, or evicted) is replaced by one never used before (the clock's
nanoseconds), so values kept before it never match either.

notifications.selectors keeps the flag on a person's address this way.
"""

import time

from django.core.cache import cache


def current(key: str, kept: dict) -> int:
    """The counter under `key` as read in `kept` (a cache.get_many), or a new
    one never used before when the cache has none."""
    value = kept.get(key)
    if value is None:
        cache.add(key, time.time_ns(), None)
        value = cache.get(key)
    return value


def move_on(key: str) -> None:
    """Everything kept under the counter's present value is stale."""
    try:
        cache.incr(key)
    except ValueError:  # the cache has none (new, or it was evicted)
        cache.set(key, time.time_ns(), None)
