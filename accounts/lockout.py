"""Sign-in lockout: failed passwords counted in the shared cache, atomically.

settings.ACCOUNT_RATE_LIMITS["login_failed"] ("10/m/ip,5/5m/key") says how many
failed sign-ins each address (ip) and each account (key: the email) may make in
a period. Every attempt first reserves its place with one atomic increment per
rate (Redis INCR in production, where every worker shares the cache), so ten
concurrent wrong passwords on any number of workers check exactly the first
five. The attempt that reaches a limit, or any attempt past it, locks that
address or account for the rate's period from that moment. While locked, every
attempt is refused with the same message, the right password included, and is
not counted; the lock ends by itself (its key expires).

A successful sign-in gives its reservation back, so a person who mistypes once
and then signs in has not used up an attempt. A password reset through the
emailed link clears the account's count and lock (allauth does the same with
its own count).

Cache keys hold a hash of the address or email, never the address itself.
"""

import contextlib
import hashlib
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.cache import cache

KEY_PREFIX = "accounts:lockout"
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
PER_ADDRESS = "ip"
PER_ACCOUNT = "key"


@dataclass(frozen=True)
class Rate:
    """`amount` failures per `seconds`, counted per address or per account."""

    amount: int
    seconds: int
    per: str


def parse_rates(spec: str) -> list[Rate]:
    """allauth's rate syntax: "10/m/ip,5/5m/key" (amount/[count]unit/per)."""
    rates = []
    for part in filter(None, (piece.strip() for piece in spec.split(","))):
        amount, period, per = part.split("/")
        count = period[:-1] or "1"
        rates.append(
            Rate(
                amount=int(amount),
                seconds=int(count) * UNIT_SECONDS[period[-1]],
                per=per,
            )
        )
    return rates


class LockedOut(Exception):  # noqa: N818 - a state, as allauth's RateLimited
    """Too many failed sign-ins; the lock ends at `until` (UTC)."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked out until {until.isoformat()}")
        self.until = until


def _hashed(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _count_key(rate: Rate, subject: str) -> str:
    return f"{KEY_PREFIX}:count:{rate.per}:{rate.seconds}:{subject}"


def _lock_key(rate: Rate, subject: str) -> str:
    return f"{KEY_PREFIX}:lock:{rate.per}:{rate.seconds}:{subject}"


def _lock(rate: Rate, subject: str) -> float:
    """Lock `subject` for the rate's period unless it is already; returns when
    the lock ends (a Unix time)."""
    key = _lock_key(rate, subject)
    cache.add(key, time.time() + rate.seconds, timeout=rate.seconds)
    until = cache.get(key)
    # The lock may have expired between the two calls: it ends now, then.
    return until if until is not None else time.time()


def _give_back(key: str) -> None:
    # The count may have expired meanwhile: then nothing is left to give back.
    with contextlib.suppress(ValueError):
        cache.decr(key)


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
        (rate, _hashed(address if rate.per == PER_ADDRESS else account))
        for rate in rates
    ]
    locks = cache.get_many([_lock_key(rate, subject) for rate, subject in subjects])
    if locks:
        raise LockedOut(_utc(max(locks.values())))
    attempt = Attempt()
    for rate, subject in subjects:
        key = _count_key(rate, subject)
        # The count lives for one period from the first failure; INCR keeps that.
        cache.add(key, 0, timeout=rate.seconds)
        try:
            position = cache.incr(key)
        except ValueError:  # expired between add and incr: a new period
            cache.add(key, 0, timeout=rate.seconds)
            position = cache.incr(key)
        if position > rate.amount:
            _give_back(key)
            attempt.succeeded()
            raise LockedOut(_utc(_lock(rate, subject)))
        attempt.taken.append((rate, subject, position))
    return attempt


def clear_account(*, rates: list[Rate], account: str) -> None:
    """Forget the account's failures and lock (after a password reset)."""
    subject = _hashed(account)
    cache.delete_many(
        [
            key
            for rate in rates
            if rate.per == PER_ACCOUNT
            for key in (_count_key(rate, subject), _lock_key(rate, subject))
        ]
    )
