"""The one way a stored private file leaves the portal, after the view's own
permission check: a proposal's document, a payload's condition document or
signed agreement, a reviewer's copy of a document (when it is the file as
uploaded), a call's published documents.

Behind nginx (deploy/nginx/nginx.conf) with DJANGO_X_ACCEL_REDIRECT_PREFIX set,
e.g. `/_private/`, the answer is empty and carries `X-Accel-Redirect:
/_private/<the file's name in storage>`: nginx sends the bytes itself from an
`internal` location over the media volume (no client can ask for that location
directly), so a gunicorn worker is not held for the length of a download. The
headers set here (Content-Type, Content-Disposition, Cache-Control) travel
with it; the portal's other headers do not, so nginx's `/_private/` location
sets a sandboxing CSP and nosniff, and copies HSTS and Referrer-Policy from
this answer. Without the setting, or when files are not on the local disk
(S3), the file is streamed as before.

Files generated per request (the version PDF, the anonymised copies reviewers
of dual-anonymous calls get) are bytes, not stored files, and stay streamed.
"""

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header


def x_accel_prefix() -> str:
    return settings.PRIVATE_FILES_X_ACCEL_PREFIX


def private_file_response(
    file, *, filename: str, content_type: str | None = None
) -> HttpResponse:
    """`file` (a FieldFile) offered as the attachment `filename`. Call it only
    once the requester has been found allowed to read it. Raises
    FileNotFoundError when streamed and the file is gone."""
    prefix = x_accel_prefix()
    if prefix and isinstance(file.storage, FileSystemStorage):
        response = HttpResponse(content_type=content_type or "application/octet-stream")
        response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{quote(file.name)}"
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=filename
        )
        return response
    return FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type=content_type,
    )
