"""Sample data for every email template: the admin's preview and the tests use it.

Every folder `templates/emails/<name>/` with a `subject.txt` is a template. Its
sample context is registered here, or, for an app's own emails, in an
`email_previews` module of that app (found at run time):

    from notifications.previews import register_sample

    register_sample("proposal_submitted", lambda: {"reference": "CE7-2026-0042", ...})

Emails rendered elsewhere (allauth's account emails) may register a renderer
instead: `register_renderer("account/email/password_reset_key", render)` with
`render(language) -> (subject, text, html)`.

A test fails when a template has no sample, so none goes out unpreviewed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.utils import get_app_template_dirs
from django.utils.module_loading import autodiscover_modules

from notifications.services import render_email

Renderer = Callable[[str], tuple[str, str, str]]


@dataclass(frozen=True)
class Preview:
    name: str
    language: str
    subject: str
    text: str
    html: str


_samples: dict[str, Callable[[], dict]] = {}
_renderers: dict[str, Renderer] = {}


def register_sample(template: str, sample: Callable[[], dict]) -> None:
    _samples[template] = sample


def register_renderer(name: str, render: Renderer) -> None:
    _renderers[name] = render


def _discover() -> None:
    autodiscover_modules("email_previews")


def template_names() -> list[str]:
    """Every outbox template on disk: `templates/emails/<name>/subject.txt`."""
    roots = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    roots += [Path(d) for d in get_app_template_dirs("templates")]
    names: set[str] = set()
    for root in roots:
        emails = root / "emails"
        for subject in emails.rglob("subject.txt"):
            name = subject.parent.relative_to(emails).as_posix()
            if not name.startswith("_"):
                names.add(name)
    return sorted(names)


def preview_names() -> list[str]:
    """What the admin's preview lists: the templates, then the other renderers."""
    _discover()
    return template_names() + sorted(set(_renderers) - set(template_names()))


def missing_samples() -> list[str]:
    _discover()
    return [name for name in template_names() if name not in _samples]


def render_preview(*, name: str, language: str) -> Preview:
    """Render template `name` in `language` with its sample data.

    Raises KeyError when `name` has neither a sample nor a renderer.
    """
    _discover()
    if name in _samples:
        subject, text, html = render_email(
            template=name, context=_samples[name](), language=language
        )
    else:
        subject, text, html = _renderers[name](language)
    return Preview(name=name, language=language, subject=subject, text=text, html=html)


def opportunity_sample() -> dict:
    return {
        "opportunity_id": 7,
        "opportunity_title_en": (
            "Announcement of Opportunity for payloads on Chang'E-7"
        ),
        "opportunity_title_zh": "嫦娥七号国际载荷机遇公告",
        "mission_name_en": "Chang'E-7",
        "mission_name_zh": "嫦娥七号",
        "deadline": "2026-12-31T09:59:00+00:00",
        "path": "/opportunities/change-7-payloads/",
    }


def amendment_sample() -> dict:
    return {
        **opportunity_sample(),
        "amendment_title_en": "Proposal deadline extended",
        "amendment_title_zh": "建议书截止日期延长",
        "amendment_body_en": "The proposal deadline moves by two weeks.",
        "amendment_body_zh": "建议书截止日期推迟两周。",
        # A proposer is told which of their proposals the amendment concerns.
        "proposals": [
            {
                "proposal_id": 42,
                "reference": "CE7-2026-0042",
                "title": "Lunar south-pole radon and dust monitor",
                "path": "/proposals/42/",
            },
            {"proposal_id": 57, "reference": "", "title": "", "path": "/proposals/57/"},
        ],
    }


register_sample("opportunity_published", opportunity_sample)
register_sample("opportunity_amended", amendment_sample)
