"""One PDF per frozen version, rendered with WeasyPrint from the version's snapshot.

Chinese text is set in Noto Sans CJK SC (Debian's fonts-noto-cjk). The PDF lists
every document with its SHA-256, so a reader can check the files they receive.
Nothing is fetched from the network while rendering.
"""

from django.template.loader import render_to_string

from proposals.enums import ProposalStage, TeamRole


def _refuse_fetch(url: str, *args, **kwargs):
    raise ValueError(f"The version PDF fetches no resources ({url}).")


def render_version_html(version, *, anonymised_snapshot: dict | None = None) -> str:
    """The version's HTML; with `anonymised_snapshot` (reviews' dual-anonymous
    view of it) the team, funding, statements and file names are left out."""
    anonymous = anonymised_snapshot is not None
    return render_to_string(
        "proposals/pdf/version.html",
        {
            "version": version,
            "snapshot": anonymised_snapshot if anonymous else version.snapshot,
            "anonymous": anonymous,
            "is_letter": version.stage == ProposalStage.LETTER_OF_INTENT,
            "co_investigator": TeamRole.CO_INVESTIGATOR.value,
            "submitted_at": version.submitted_at,
        },
    )


def render_version_pdf(version, *, anonymised_snapshot: dict | None = None) -> bytes:
    """The version as one PDF document, in the active language."""
    # Imported here: WeasyPrint takes 0.4 s to import and logs its stylesheet
    # parsing, which every process loading the proposal views would pay.
    from weasyprint import HTML  # noqa: PLC0415

    html = HTML(
        string=render_version_html(version, anonymised_snapshot=anonymised_snapshot),
        url_fetcher=_refuse_fetch,
    )
    return html.write_pdf()
