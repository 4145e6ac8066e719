"""Who may do what with a question: plain predicates shared by the pages, the
admin and the API.

- any active, signed-in person asks on a published call until its questions
  close (`Opportunity.questions_close_at`);
- a question not yet published is seen by its asker, by the call's CNSA
  contacts (a contact whose email address is the account's) and by the
  administrators (proposals.permissions.is_administrator); nobody else, not
  reviewers, not other researchers;
- the administrators edit the wording, answer, publish, decline and turn a
  published question into an amendment.
Published questions and answers are public, on the call's page.
"""

from catalogue.enums import OpportunityStatus
from proposals.permissions import is_administrator


def _is_active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_ask(user) -> bool:
    return _is_active(user)


def questions_open(opportunity, *, now) -> bool:
    """Whether the call takes questions at `now`."""
    return (
        opportunity.status == OpportunityStatus.PUBLISHED
        and now < opportunity.questions_close_at
    )


def is_contact_of(user, opportunity) -> bool:
    """One of the call's CNSA contacts, by the account's email address (a query)."""
    if not _is_active(user):
        return False
    return opportunity.contacts.filter(email__iexact=user.email).exists()


def can_manage_questions(user) -> bool:
    return is_administrator(user)


def can_see_question(user, question) -> bool:
    """The asker, the call's CNSA contacts, the administrators."""
    if not _is_active(user):
        return False
    if question.asker_id == user.pk or can_manage_questions(user):
        return True
    return is_contact_of(user, question.opportunity)
