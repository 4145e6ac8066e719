"""The API documentation pages under the Content-Security-Policy.

Swagger UI needs nothing of its own: drf-spectacular's split view serves its
start-up script as a file (config/urls.py). ReDoc needs three things, on its own
page only:

- the response's nonce, which static/js/redoc-init.js hands to ReDoc for the
  <style> elements it creates while it renders (styled-components);
- the hashes of the two <style> elements its bundle inserts as it loads, before
  any script of ours could give it the nonce: an empty one and the scroll bars'
  (drf-spectacular-sidecar's ReDoc 2; tests/browser/test_csp.py fails when an
  upgrade changes them);
- Redocly's logo at the foot of its sidebar, an image from their CDN (always
  shown, whatever the options; hidden by ReDoc when it cannot load, as from
  mainland China);
- no cache: a nonce is for one response only.

Its search runs in a worker made from a blob: URL: turned off in
static/js/redoc-init.js rather than allowed.

An email's HTML, previewed in the admin, is written for mail clients: its styles
are style="…" attributes. It is served on its own (never as an iframe's srcdoc,
which would inherit the admin page's policy) under a policy of its own: styles
inline, images of our origin, nothing else, sandboxed (no script, an opaque
origin), framed by our own pages only.
"""

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp, csp_update
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from drf_spectacular.views import SpectacularRedocView

REDOC_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
]

REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def redoc_view():
    """drf-spectacular's ReDoc page with its exceptions to the policy."""
    view = SpectacularRedocView.as_view(url_name="api-schema")
    return never_cache(
        csp_update({"style-src": REDOC_STYLE_HASHES, "img-src": [REDOCLY_LOGO]})(view)
    )


EMAIL_PREVIEW_POLICY = {
    "default-src": [NONE],
    "style-src": [UNSAFE_INLINE],
    "img-src": [SELF, "data:"],
    "frame-ancestors": [SELF],
    "sandbox": [""],
}


def email_preview_frame(view):
    """A view serving an email's HTML into an iframe of the admin."""
    return xframe_options_sameorigin(csp(EMAIL_PREVIEW_POLICY)(view))
