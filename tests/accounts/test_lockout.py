"""A locked account refuses even the right password until the lock ends, and the
failures are counted once for every worker (accounts.lockout). A stranger's
failures lock the stranger's address out of the account, not its owner.

The last test runs two gunicorn processes (one sync worker each) on production
settings, sharing Redis (database 5) and the test database.
"""

import http.client
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import redis
from django.db import connection
from django.test import Client

from accounts import lockout
from tests.accounts.helpers import sign_in
from tests.factories import PASSWORD, UserFactory
from tests.test_deployment import (
    BASE_DIR,
    PRODUCTION_HOST,
    PRODUCTION_REDIS_URL,
    free_port,
    production_env,
)

TOO_MANY = "Too many failed login attempts. Try again later."
WRONG = "The email address and/or password you specified are not correct."
BEIJING = ZoneInfo("Asia/Shanghai")
AGAIN = re.compile(r"You may try again from (\d+ \w+ \d{4}, \d\d:\d\d) Beijing time")


def message_of(html: str) -> str:
    (alert,) = re.findall(r"Too many failed login attempts\.[^<]*", html)
    return alert.strip()


def try_again_at(html: str) -> datetime:
    (moment,) = AGAIN.findall(html)
    return datetime.strptime(moment, "%d %b %Y, %H:%M").replace(tzinfo=BEIJING)


def test_a_locked_account_refuses_the_right_password_with_the_same_message(
    client, researcher
):
    for _ in range(5):
        sign_in(client, researcher.email, "wrong-password")

    wrong = sign_in(client, researcher.email, "wrong-password").content.decode()
    right = sign_in(client, researcher.email, PASSWORD).content.decode()

    assert message_of(right) == message_of(wrong)
    assert "_auth_user_id" not in client.session
    until = try_again_at(right)
    assert (
        timedelta(minutes=4)
        <= until - datetime.now(BEIJING)
        <= timedelta(minutes=5, seconds=60)
    )


def test_the_lock_ends_after_its_period_and_the_right_password_works(
    client, researcher, monkeypatch
):
    for _ in range(5):
        sign_in(client, researcher.email, "wrong-password")
    start = time.time()
    # The clock (the world's edge) moves on past the five minutes' lock; the
    # cache expires its keys by the same clock.
    monkeypatch.setattr(time, "time", lambda: start + 301)

    response = sign_in(client, researcher.email, PASSWORD)

    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(researcher.pk)


def test_refused_attempts_during_a_lock_do_not_lengthen_it(client, researcher):
    for _ in range(5):
        sign_in(client, researcher.email, "wrong-password")
    first = try_again_at(sign_in(client, researcher.email, PASSWORD).content.decode())

    for _ in range(3):
        sign_in(client, researcher.email, "wrong-password")

    last = try_again_at(sign_in(client, researcher.email, PASSWORD).content.decode())
    assert last == first


def test_a_password_reset_clears_the_lock(db):
    rates = [
        *lockout.parse_rates("10/m/ip,5/5m/key"),
        lockout.parse_rate("5/h/account"),
    ]
    for _ in range(5):
        lockout.begin_attempt(rates=rates, address="192.0.2.1", account="a@x").failed()

    lockout.clear_account(rates=rates, address="192.0.2.1", account="a@x")

    lockout.begin_attempt(rates=rates, address="192.0.2.1", account="a@x").succeeded()


def test_rates_read_as_allauth_writes_them():
    assert lockout.parse_rates("10/m/ip,5/5m/key") == [
        lockout.Rate(amount=10, seconds=60, per="ip"),
        lockout.Rate(amount=5, seconds=300, per="key"),
    ]
    assert lockout.parse_rate("50/h", per="account") == lockout.Rate(
        amount=50, seconds=3600, per="account"
    )


def test_a_strangers_failures_leave_the_owner_signing_in_from_elsewhere(
    client, researcher
):
    stranger = Client(REMOTE_ADDR="198.51.100.9")
    for _ in range(5):
        sign_in(stranger, researcher.email, "wrong-password")

    stranger_refused = sign_in(stranger, researcher.email, PASSWORD).content.decode()
    owner = sign_in(client, researcher.email, PASSWORD)

    assert TOO_MANY in stranger_refused
    assert "_auth_user_id" not in stranger.session
    assert owner["Location"] == "/"
    assert client.session["_auth_user_id"] == str(researcher.pk)


def test_failures_from_many_addresses_lock_the_account_for_everyone(
    client, researcher, settings
):
    settings.AO_LOCKOUT_ACCOUNT_RATE = "4/h"
    for n in range(4):
        sign_in(Client(REMOTE_ADDR=f"198.51.100.{n}"), researcher.email, "wrong")

    refused = sign_in(client, researcher.email, PASSWORD).content.decode()

    assert message_of(refused).startswith(TOO_MANY)
    assert "_auth_user_id" not in client.session
    assert (
        timedelta(minutes=59)
        <= try_again_at(refused) - datetime.now(BEIJING)
        <= timedelta(hours=1, minutes=1)
    )


# --- counts in Redis: never without their expiry ---------------------------------


@pytest.fixture
def redis_cache(settings):
    """The default cache on Redis (database 5), as in production; its keys are
    removed afterwards."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": PRODUCTION_REDIS_URL,
            "KEY_PREFIX": "lockout-ttl-test",
        }
    }
    store = redis.Redis.from_url(PRODUCTION_REDIS_URL)
    yield store
    for key in store.scan_iter(match="lockout-ttl-test:*"):
        store.delete(key)


def count_keys(store: redis.Redis) -> list[bytes]:
    return list(store.scan_iter(match="lockout-ttl-test:*accounts:lockout:count:*"))


def test_redis_counts_always_carry_their_expiry(redis_cache):
    rates = [
        *lockout.parse_rates("10/m/ip,5/5m/key"),
        lockout.parse_rate("50/h/account"),
    ]
    lockout.begin_attempt(rates=rates, address="192.0.2.1", account="a@x").failed()
    first = {key: redis_cache.ttl(key) for key in count_keys(redis_cache)}
    # A count left without expiry (what EXISTS then INCR did when the key expired
    # between the two) gets its expiry back from the next attempt.
    for key in first:
        redis_cache.persist(key)
    lockout.begin_attempt(rates=rates, address="192.0.2.1", account="a@x").failed()
    second = {key: redis_cache.ttl(key) for key in count_keys(redis_cache)}

    assert sorted(first.values()) == [60, 300, 3600]
    assert sorted(second.values()) == [60, 300, 3600]
    assert sorted(int(redis_cache.get(key)) for key in second) == [2, 2, 2]


def test_redis_give_back_after_expiry_leaves_no_count(redis_cache):
    rates = lockout.parse_rates("10/m/ip,5/5m/key")
    attempt = lockout.begin_attempt(rates=rates, address="192.0.2.1", account="a@x")
    for key in count_keys(redis_cache):
        redis_cache.delete(key)  # the period ended meanwhile

    attempt.succeeded()

    assert count_keys(redis_cache) == []


# --- two gunicorn processes sharing Redis ----------------------------------------


def lockout_keys(client: redis.Redis) -> list[bytes]:
    return list(client.scan_iter(match="*accounts:lockout:*"))


@pytest.fixture(scope="module")
def two_processes(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two gunicorn processes (one sync worker each) on production settings,
    on the test database and Redis database 5.

    Only what a test cannot avoid differs from production: static files from
    the finders (no collectstatic), and the tests' fast password hash accepted.
    """
    tmp_path = tmp_path_factory.mktemp("lockout")
    (tmp_path / "lockout_settings.py").write_text(
        "from config.settings.production import *  # noqa: F403\n"
        "STORAGES = {**STORAGES, 'staticfiles': {'BACKEND': "
        "'django.contrib.staticfiles.storage.StaticFilesStorage'}}  # noqa: F405\n"
        "PASSWORD_HASHERS = ['django.contrib.auth.hashers.MD5PasswordHasher']\n"
    )
    with django_db_blocker.unblock():
        database = connection.settings_dict
        database_url = (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        )
    store = redis.Redis.from_url(PRODUCTION_REDIS_URL)
    store.flushdb()
    env = production_env(
        DJANGO_SETTINGS_MODULE="lockout_settings",
        PYTHONPATH=f"{tmp_path}{os.pathsep}{BASE_DIR}",
        DATABASE_URL=database_url,
        DJANGO_CONN_MAX_AGE="0",
        DJANGO_VAR_DIR=str(tmp_path / "var"),
    )
    ports = [free_port(), free_port()]
    log = tmp_path / "gunicorn.log"
    servers = [
        subprocess.Popen(  # noqa: S603 - gunicorn from our own virtualenv
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("a"),
        )
        for port in ports
    ]
    try:
        for port in ports:
            deadline = time.monotonic() + 60
            while True:
                try:
                    http.client.HTTPConnection("127.0.0.1", port, timeout=2).connect()
                    break
                except OSError:
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.2)
        yield ports, store
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)
        store.flushdb()


def attempt(port: int, email: str, password: str) -> tuple[int, str]:
    """Open the sign-in page and post the form, as the TLS proxy forwards them;
    returns (status, body or Location)."""
    headers = {
        "Host": PRODUCTION_HOST,
        "X-Forwarded-Proto": "https",
        "X-Real-IP": "203.0.113.7",
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", "/accounts/login/", headers=headers)
        page = conn.getresponse()
        cookies = SimpleCookie()
        for header in page.msg.get_all("Set-Cookie") or []:
            cookies.load(header)
        # The page's forms (sign-in, language switch) carry the same token.
        token = re.findall(
            r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode()
        )[0]
        conn.request(
            "POST",
            "/accounts/login/",
            body=urlencode(
                {"login": email, "password": password, "csrfmiddlewaretoken": token}
            ),
            headers={
                **headers,
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookies['csrftoken'].value}",
                "Referer": f"https://{PRODUCTION_HOST}/accounts/login/",
            },
        )
        response = conn.getresponse()
        body = response.read().decode()
        return response.status, response.getheader("Location") or body
    finally:
        conn.close()


def outcome(result: tuple[int, str]) -> str:
    status, text = result
    if status == 302:
        return "signed in"
    if TOO_MANY in text:
        return "locked"
    if WRONG in text:
        return "wrong"
    return f"status {status}"


@pytest.mark.django_db(transaction=True)
def test_two_processes_count_failures_together_and_hold_the_lock(two_processes):
    ports, store = two_processes
    user = UserFactory()

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(
            pool.map(
                lambda n: attempt(ports[n % 2], user.email, f"wrong-{n}"), range(10)
            )
        )
    refused = [attempt(port, user.email, PASSWORD) for port in ports]
    (lock,) = [key for key in lockout_keys(store) if b":lock:key:" in key]
    lock_seconds = store.ttl(lock)
    # Move the clock on to a second and a half before the lock ends: every
    # lockout key (the lock and the counts, which end no later) expires then.
    for key in lockout_keys(store):
        store.pexpire(key, 1500)
    still_refused = attempt(ports[0], user.email, PASSWORD)
    time.sleep(1.6)
    accepted = attempt(ports[1], user.email, PASSWORD)

    assert (
        sorted(outcome(result) for result in results) == ["locked"] * 5 + ["wrong"] * 5
    )
    assert [outcome(result) for result in refused] == ["locked", "locked"]
    assert 290 <= lock_seconds <= 300
    assert outcome(still_refused) == "locked"
    assert outcome(accepted) == "signed in"
