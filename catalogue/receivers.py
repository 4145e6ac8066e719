"""What makes the kept public pages stale: every save or deletion of a row a
public page or the API's list of calls shows (catalogue.page_cache).

Connected when the app is ready (CatalogueConfig.ready imports this module).
The call page also shows the call's published questions and, once published,
its list of selected payloads, from apps that come after the catalogue: their
models are named here by label, so the catalogue imports neither.

A status moved by the workflow is a save like any other. A write that bypasses
the model's save (`QuerySet.update`, `bulk_create`, raw SQL) sends no signal:
such code calls `catalogue.page_cache.public_pages_changed()` itself. Moments
passing (a deadline, an opening) need no write: each kept page carries the
moment it stops being true.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from catalogue.models import Opportunity
from catalogue.page_cache import public_pages_changed

# Every model a public page shows, whatever row of it changes.
SHOWN = (
    "catalogue.Mission",
    "catalogue.Opportunity",
    "catalogue.Carrier",
    "catalogue.EvaluationCriterion",
    "catalogue.RequiredDocument",
    "catalogue.Statement",
    "catalogue.Amendment",
    "catalogue.OpportunityDocument",
    "catalogue.Contact",
    "payloads.SelectionList",
    "payloads.SelectionEntry",
)
# Published questions are shown; a question asked or answered is not yet.
QUESTION = "questions.Question"
PUBLISHED_QUESTION = "published"


def row_changed(sender, **kwargs) -> None:
    public_pages_changed()


def question_changed(sender, *, instance, **kwargs) -> None:
    if instance.status == PUBLISHED_QUESTION:
        public_pages_changed()


def contacts_changed(sender, *, action: str, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        public_pages_changed()


SIGNALS = {"save": post_save, "delete": post_delete}

for label in SHOWN:
    for name, signal in SIGNALS.items():
        signal.connect(
            row_changed, sender=label, dispatch_uid=f"public_pages:{name}:{label}"
        )
for name, signal in SIGNALS.items():
    signal.connect(
        question_changed,
        sender=QUESTION,
        dispatch_uid=f"public_pages:{name}:{QUESTION}",
    )
m2m_changed.connect(
    contacts_changed,
    sender=Opportunity.contacts.through,
    dispatch_uid="public_pages:contacts",
)
