"""The portal's standard milestone and agreement names, in the reader's language.

A call's milestone template and its required agreements are free text, written
once (`CallMilestone.name`, `CallAgreement.name`, copied onto each payload). The
portal's standard set — the milestone kinds' names and the four agreements the
seed proposes (payloads.seed.public.STANDARD_AGREEMENTS) — is shown translated;
any other name is shown as written.
"""

from functools import cache

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from payloads.enums import MilestoneKind

STANDARD_AGREEMENT_NAMES = (
    _("Implementing agreement"),
    _("Interface control document"),
    _("Export licence"),
    _("Data policy"),
)


@cache
def _standard_names() -> dict:
    """English name → its lazy translation."""
    names = [*MilestoneKind.labels, *STANDARD_AGREEMENT_NAMES]
    with translation.override("en"):
        return {str(name): name for name in names}


def standard_name(name: str | None) -> str:
    """`name` in the reader's language if it is one of the standard names,
    else as written."""
    if not name:
        return name or ""
    known = _standard_names().get(name.strip())
    return str(known) if known is not None else name
