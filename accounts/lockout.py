"""Sign-in lockout: failed passwords counted in the shared cache, atomically.

Three limits, each so many failed sign-ins in a period:

- per address (settings.ACCOUNT_RATE_LIMITS["login_failed"], "10/m/ip"): one
  address guessing at many accounts;
- per account and address ("5/5m/key" there: allauth's key is the email; here it
  is the email together with the address): one address guessing at one account;
- per account, from every address (settings.AO_LOCKOUT_ACCOUNT_RATE, "50/h"):
  many addresses guessing at one account, looser.

So a stranger's wrong guesses lock the stranger's address out of that account,
not the owner: the owner, signing in from their own address, is only refused
once the account as a whole has had its looser number of failures.

Every attempt first reserves its place with one atomic increment per limit, so
ten concurrent wrong passwords on any number of workers check exactly the first
five. In Redis (production, where every worker shares the cache) that increment
is one Lua script that also gives a new count its expiry, so no count outlives
its period, whatever the timing. The attempt that reaches a limit, or any
attempt past it, locks that address, pair or account for the limit's period
from that moment. While locked, every attempt is refused with the same message,
the right password included, and is not counted; the lock ends by itself (its
key expires).

A successful sign-in gives its reservation back, so a person who mistypes once
and then signs in has not used up an attempt. A password reset through the
emailed link clears the account's counts and locks: the one for every address,
and the one for the address the reset came from (allauth does the same with its
own count). Pairs of the account with other addresses run out by themselves.

Cache keys hold a hash of the address or email, never the address itself.
"""

import contextlib
import hashlib
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

KEY_PREFIX = "accounts:lockout"
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
PER_ADDRESS = "ip"
PER_PAIR = "key"
PER_ACCOUNT = "account"

# One call, so a count never exists without its expiry (Django's RedisCache.incr
# is EXISTS then INCR: a key expiring between them would come back immortal).
INCREMENT = """
local n = redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""
GIVE_BACK = """
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('DECR', KEYS[1]) end
return 0
"""


@dataclass(frozen=True)
class Rate:
    """`amount` failures per `seconds`, counted per address (ip), per account
    and address (key) or per account from every address (account)."""

    amount: int
    seconds: int
    per: str


def parse_rate(spec: str, *, per: str | None = None) -> Rate:
    """One rate, "5/5m/key" (amount/[count]unit/per); `per` if it names none."""
    amount, period, *rest = spec.strip().split("/")
    count = period[:-1] or "1"
    return Rate(
        amount=int(amount),
        seconds=int(count) * UNIT_SECONDS[period[-1]],
        per=rest[0] if rest else per,
    )


def parse_rates(spec: str) -> list[Rate]:
    """allauth's rate syntax: "10/m/ip,5/5m/key"."""
    return [parse_rate(part) for part in spec.split(",") if part.strip()]


class LockedOut(Exception):  # noqa: N818 - a state, as allauth's RateLimited
    """Too many failed sign-ins; the lock ends at `until` (UTC)."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked out until {until.isoformat()}")
        self.until = until


def _hashed(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _subject(rate: Rate, *, address: str, account: str) -> str:
    if rate.per == PER_ADDRESS:
        return _hashed(address)
    if rate.per == PER_PAIR:
        return _hashed(f"{account}\n{address}")
    return _hashed(account)


def _count_key(rate: Rate, subject: str) -> str:
    return f"{KEY_PREFIX}:count:{rate.per}:{rate.seconds}:{subject}"


def _lock_key(rate: Rate, subject: str) -> str:
    return f"{KEY_PREFIX}:lock:{rate.per}:{rate.seconds}:{subject}"


def _redis_script(cache, key: str, script: str):
    """The script bound to the Redis connection holding `key` and the key as
    the cache stores it (prefixed and versioned), or None off Redis."""
    if not isinstance(cache, RedisCache):
        return None, key
    stored = cache.make_and_validate_key(key)
    # Django's own connection pool (RedisCache._cache), for one atomic call.
    client = cache._cache.get_client(stored, write=True)
    return client.register_script(script), stored


def _increment(key: str, seconds: int) -> int:
    """Add one to the count at `key`, which lives `seconds` from its first one."""
    cache = caches["default"]
    script, stored = _redis_script(cache, key, INCREMENT)
    if script is not None:
        return int(script(keys=[stored], args=[seconds]))
    # Other caches (locmem in development and tests) serve one process, whose
    # lock makes add then incr safe enough; a count expiring between the two is
    # simply started again.
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key)
    except ValueError:
        cache.add(key, 0, timeout=seconds)
        return cache.incr(key)


def _give_back(key: str) -> None:
    """Take one off the count at `key`, unless it has expired meanwhile."""
    cache = caches["default"]
    script, stored = _redis_script(cache, key, GIVE_BACK)
    if script is not None:
        script(keys=[stored])
        return
    with contextlib.suppress(ValueError):
        cache.decr(key)


def _lock(rate: Rate, subject: str) -> float:
    """Lock `subject` for the rate's period unless it is already; returns when
    the lock ends (a Unix time)."""
    cache = caches["default"]
    key = _lock_key(rate, subject)
    cache.add(key, time.time() + rate.seconds, timeout=rate.seconds)
    until = cache.get(key)
    # The lock may have expired between the two calls: it ends now, then.
    return until if until is not None else time.time()


def _utc(moment: float) -> datetime:
    # Whole seconds, rounded up: "try again from 14:05" is never too early.
    return datetime.fromtimestamp(math.ceil(moment), tz=UTC)


@dataclass
class Attempt:
    """One sign-in attempt that was allowed to check its password."""

    taken: list[tuple[Rate, str, int]] = field(default_factory=list)

    def succeeded(self) -> None:
        """The password was right: the attempt does not count as a failure."""
        for rate, subject, _ in self.taken:
            _give_back(_count_key(rate, subject))

    def failed(self) -> None:
        """The password was wrong: a failure that reached a limit locks."""
        for rate, subject, position in self.taken:
            if position >= rate.amount:
                _lock(rate, subject)


def begin_attempt(*, rates: list[Rate], address: str, account: str) -> Attempt:
    """Reserve a place for one attempt under every rate, or raise LockedOut.

    A refused attempt gives back what it reserved: only checked passwords count.
    """
    subjects = [
        (rate, _subject(rate, address=address, account=account)) for rate in rates
    ]
    locks = caches["default"].get_many(
        [_lock_key(rate, subject) for rate, subject in subjects]
    )
    if locks:
        raise LockedOut(_utc(max(locks.values())))
    attempt = Attempt()
    for rate, subject in subjects:
        key = _count_key(rate, subject)
        # The count lives for one period from the first failure.
        position = _increment(key, rate.seconds)
        if position > rate.amount:
            _give_back(key)
            attempt.succeeded()
            raise LockedOut(_utc(_lock(rate, subject)))
        attempt.taken.append((rate, subject, position))
    return attempt


def clear_account(*, rates: list[Rate], address: str, account: str) -> None:
    """Forget the account's failures and locks (after a password reset): from
    every address, and from `address`, where the reset came from."""
    caches["default"].delete_many(
        [
            key
            for rate in rates
            if rate.per in (PER_PAIR, PER_ACCOUNT)
            for key in (
                _count_key(rate, _subject(rate, address=address, account=account)),
                _lock_key(rate, _subject(rate, address=address, account=account)),
            )
        ]
    )
