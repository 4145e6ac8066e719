"""The OpenAPI schema of the JSON API documents its refusals, not only its 200s.

drf-spectacular describes what a view returns when all goes well. A client also
meets these answers, each `{"detail": "…"}` in JSON, and the schema says so
for every operation where it can happen:

- 400 when a filter's value is not one it accepts (`?status=unknown`), the body
  naming each refused filter;
- 403 when the view needs an account and the request has none, or a token
  that is not valid (session authentication comes first, so no 401 and no
  `WWW-Authenticate` challenge);
- 404 when a path names nothing the caller may see, or a page is past the end;
- 429 past the throttle (config.api_limits), with `Retry-After`.

tests/test_api_fuzz.py lets schemathesis check every answer against this.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework.permissions import AllowAny

_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_THROTTLED = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "retry_after": {
            "type": "integer",
            "minimum": 1,
            "description": "Seconds to wait, as in the Retry-After header.",
        },
    },
    "required": ["detail", "retry_after"],
}
_FILTER_ERRORS = {
    "type": "object",
    "description": "Each refused filter, with what was wrong with its value.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


def _json(description: str, schema: dict, **extra) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
        **extra,
    }


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema plus the 400, 403, 404 and 429 each view can give."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, response in self._refusals().items():
            responses.setdefault(code, response)
        return responses

    def _refusals(self) -> dict[str, dict]:
        refusals = {}
        if self._get_filter_parameters():
            refusals["400"] = _json(
                "A filter's value is not one it accepts.", _FILTER_ERRORS
            )
        if not all(
            isinstance(permission, AllowAny)
            for permission in self.view.get_permissions()
        ):
            refusals["403"] = _json(
                "No account signed in (session or token), or the token is not valid.",
                _DETAIL,
            )
        paginated = self._is_list_view() and self._get_paginator() is not None
        if "{" in self.path or paginated:
            refusals["404"] = _json(
                "Nothing the caller may see at this address, or a page past the end.",
                _DETAIL,
            )
        if self.view.get_throttles():
            refusals["429"] = _json(
                "Too many requests from this client; try again after Retry-After.",
                _THROTTLED,
                headers={
                    "Retry-After": {
                        "schema": {"type": "integer", "minimum": 1},
                        "description": "Seconds before the next request is accepted.",
                    }
                },
            )
        return refusals
