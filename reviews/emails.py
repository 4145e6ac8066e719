"""The review and decision emails, queued in the notifications outbox.

Each function is called inside the transaction of its event, so a rolled-back
event sends nothing; the idempotency key names the event and the recipient, so
each person gets each email once. Templates: templates/emails/review_*/ and
templates/emails/decision_*/; sample contexts in reviews/email_previews.py.

What reaches whom:
- reviewers (assigned, reopened, due soon, overdue) get the call, the proposal's
  reference and title and the due date — never who proposed, in any call, so a
  dual-anonymous call cannot leak through an email;
- administrators (a conflict declared) get the reviewer, the proposal and the
  reason;
- the call's CNSA contacts (every review of a proposal in) get the proposal and
  the number of reviews; when the call's decisions are released, one summary
  (how many proposals of each outcome, links to the panel's ranking and
  decisions pages) — a contact without an account in their preferred language;
- the principal investigator and the team (the decision) get the outcome, the
  letter, the panel's consensus report and the reviewers' comments meant for
  them, as "Reviewer 1, 2 …" — never a reviewer's name, score or confidential
  comment;
- reviewers whose assignment is cancelled, or ended by the release of the
  call's decisions (one email per reviewer and call), get the references and
  titles;
- discussion participants get an hourly digest of the threads with new
  messages: reference, title, how many, and who wrote as the reader may see it
  ("Reviewer 2", "CNSA administrators"), never the messages themselves (they
  stay behind the two-factor sign-in).

Links to the admin name the admin's change pages by their URL names; before the
review admin is registered they fall back to the admin's standard address.
"""

from datetime import UTC

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from notifications.events import contact_recipients
from notifications.services import Recipient, queue_email
from reviews.enums import DecisionOutcome, ReviewStatus
from reviews.permissions import ADMINISTRATORS_GROUP

MANAGE_CODENAME = "manage_reviews"


def admin_change_path(app_label: str, model_name: str, pk: int) -> str:
    try:
        return reverse(f"admin:{app_label}_{model_name}_change", args=[pk])
    except NoReverseMatch:
        return f"{reverse('admin:index')}{app_label}/{model_name}/{pk}/change/"


def assignment_path(assignment) -> str:
    """The assignment's page on the reviewers' site (/review/), where its
    reviewer works; administrators read it in /admin/ (admin_change_path)."""
    return reverse("review:reviews_reviewassignment_change", args=[assignment.pk])


def administrator_assignment_path(assignment) -> str:
    """The assignment's read-only page on the administrators' site."""
    return admin_change_path("reviews", "reviewassignment", assignment.pk)


def _contacts_sorted(opportunity) -> list:
    return sorted(opportunity.contacts.all(), key=lambda contact: contact.pk)


def reply_address(opportunity) -> str:
    """Replies go to the call's first CNSA contact."""
    contacts = _contacts_sorted(opportunity)
    return contacts[0].email if contacts else ""


def administrators() -> list[Recipient]:
    """Active staff who manage reviews: superusers, the Administrators group, and
    anyone granted reviews.manage_reviews, once each, by email."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__name=ADMINISTRATORS_GROUP)
            | Q(
                groups__permissions__codename=MANAGE_CODENAME,
                groups__permissions__content_type__app_label="reviews",
            )
            | Q(
                user_permissions__codename=MANAGE_CODENAME,
                user_permissions__content_type__app_label="reviews",
            )
        )
        .distinct()
        .order_by("email")
    )
    return [Recipient.for_user(user) for user in users]


def contacts(opportunity) -> list[Recipient]:
    """The call's CNSA contacts: one with an account is written to in the
    account's language, one without in the contact's preferred language."""
    return contact_recipients(_contacts_sorted(opportunity))


def team(proposal) -> list[Recipient]:
    """The principal investigator, then every team member, once per address."""
    pi = proposal.principal_investigator
    recipients = {pi.email.lower(): Recipient.for_user(pi)}
    for member in proposal.team_members.all():
        if member.user_id is not None and member.user.is_active:
            recipient = Recipient.for_user(member.user)
        else:
            recipient = Recipient(email=member.email)
        recipients.setdefault(recipient.email.lower(), recipient)
    return list(recipients.values())


def _call_context(opportunity) -> dict:
    return {
        "opportunity_title_en": opportunity.title_en,
        "opportunity_title_zh": opportunity.title_zh_hans or opportunity.title_en,
    }


def reviewer_context(assignment) -> dict:
    """What a reviewer's email says: no investigator, team, institution or email."""
    proposal = assignment.proposal
    return {
        **_call_context(proposal.opportunity),
        "assignment_id": assignment.pk,
        "reference": proposal.reference,
        "title": proposal.title,
        "stage": assignment.stage,
        "due": assignment.due_at.isoformat(),
        "path": assignment_path(assignment),
    }


def _send(*, event: str, recipients, template: str, context: dict, reply_to: str):
    for recipient in recipients:
        queue_email(
            key=f"{event}:{recipient.email.lower()}",
            recipient=recipient,
            template=template,
            context=context,
            reply_to=reply_to,
        )


def review_assigned(*, assignment) -> None:
    """To the reviewer, once per assignment."""
    _send(
        event=f"review-assigned:{assignment.pk}",
        recipients=[Recipient.for_user(assignment.reviewer)],
        template="review_assigned",
        context=reviewer_context(assignment),
        reply_to=reply_address(assignment.proposal.opportunity),
    )


def review_reopened(*, review, reason: str) -> None:
    """To the reviewer, with the administrator's reason; once per reopening."""
    assignment = review.assignment
    reopenings = review.events.filter(to_status=ReviewStatus.REOPENED).count()
    _send(
        event=f"review-reopened:{review.pk}:{reopenings}",
        recipients=[Recipient.for_user(assignment.reviewer)],
        template="review_reopened",
        context={**reviewer_context(assignment), "reason": reason},
        reply_to=reply_address(assignment.proposal.opportunity),
    )


def conflict_declared(*, assignment) -> None:
    """To every administrator: who, on which proposal, and why."""
    proposal = assignment.proposal
    reviewer = assignment.reviewer
    _send(
        event=f"review-conflict:{assignment.pk}",
        recipients=administrators(),
        template="review_conflict_declared",
        context={
            **_call_context(proposal.opportunity),
            "assignment_id": assignment.pk,
            "reference": proposal.reference,
            "title": proposal.title,
            "reviewer_name": reviewer.get_full_name(),
            "reviewer_email": reviewer.email,
            "reason": assignment.conflict_reason,
            "path": administrator_assignment_path(assignment),
        },
        reply_to="",
    )


def reviews_complete(*, proposal, stage: str, submitted: int) -> None:
    """To the call's CNSA contacts, once per proposal, stage and number of reviews."""
    _send(
        event=f"reviews-complete:{proposal.pk}:{stage}:{submitted}",
        recipients=contacts(proposal.opportunity),
        template="review_all_submitted",
        context={
            **_call_context(proposal.opportunity),
            "proposal_id": proposal.pk,
            "reference": proposal.reference,
            "title": proposal.title,
            "stage": stage,
            "submitted": submitted,
            "path": admin_change_path("proposals", "proposal", proposal.pk),
        },
        reply_to="",
    )


def decision_released(*, decision, comments: list[str], consensus: str = "") -> None:
    """To the principal investigator and the team: outcome, letter, the panel's
    consensus report when there is one, and the comments for the proposer
    (given here, in order, without names)."""
    proposal = decision.proposal
    _send(
        event=f"decision-released:{proposal.pk}",
        recipients=team(proposal),
        template="decision_released",
        context={
            **_call_context(proposal.opportunity),
            "proposal_id": proposal.pk,
            "reference": proposal.reference,
            "title": proposal.title,
            "outcome": decision.outcome,
            "letter": decision.letter,
            "comments": list(comments),
            "consensus": consensus,
            "path": proposal.get_absolute_url(),
        },
        reply_to=reply_address(proposal.opportunity),
    )


# --- discussion, consensus, release (appended by the discussion helper) --------


def _path_or(name: str, args: list, fallback: str) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def discussion_path(*, proposal, assignment=None) -> str:
    """The thread: on the reviewers' site for a reviewer (per assignment), on
    the administrators' panel otherwise (per call and proposal)."""
    if assignment is not None:
        return _path_or("review:thread", [assignment.pk], assignment_path(assignment))
    return _path_or(
        "admin:reviews_panel_thread",
        [proposal.opportunity_id, proposal.pk],
        admin_change_path("proposals", "proposal", proposal.pk),
    )


def reviewer_index_path() -> str:
    """The reviewers' site's index: their work."""
    return _path_or("review:index", [], "/review/")


def discussion_digest(*, recipient: Recipient, threads: list[dict], now) -> bool:
    """To one participant: the threads with messages new to them (given, with
    the authors as roles, see reviews.services.discussing). At most one per
    person and clock hour: the key names the hour. True when queued."""
    hour = now.astimezone(UTC).strftime("%Y%m%d%H")
    return (
        queue_email(
            key=f"discussion-digest:{hour}:{recipient.email.lower()}",
            recipient=recipient,
            template="review_discussion_digest",
            context={"threads": threads, "path": threads[0]["path"]},
            reply_to="",
        )
        is not None
    )


def review_assignment_cancelled(*, assignment, reason: str = "") -> None:
    """To the reviewer whose assignment an administrator withdrew: the call,
    the reference and title, the reason — never who proposed."""
    _send(
        event=f"review-cancelled:{assignment.pk}",
        recipients=[Recipient.for_user(assignment.reviewer)],
        template="review_assignment_cancelled",
        context={
            **reviewer_context(assignment),
            "reason": reason,
            "path": reviewer_index_path(),
        },
        reply_to=reply_address(assignment.proposal.opportunity),
    )


def review_assignments_ended(*, opportunity, reviewer, assignments) -> None:
    """To one reviewer, once per call: the open assignments the release of the
    call's decisions ended (reference, title, stage; never who proposed)."""
    _send(
        event=f"review-assignments-ended:{opportunity.pk}",
        recipients=[Recipient.for_user(reviewer)],
        template="review_assignments_ended",
        context={
            **_call_context(opportunity),
            "opportunity_id": opportunity.pk,
            "assignments": [
                {
                    "assignment_id": assignment.pk,
                    "reference": assignment.proposal.reference,
                    "title": assignment.proposal.title,
                    "stage": assignment.stage,
                }
                for assignment in assignments
            ],
            "path": reviewer_index_path(),
        },
        reply_to=reply_address(opportunity),
    )


# --- the release summary to the call's CNSA contacts ---------------------------


def decisions_released(*, opportunity, decisions) -> None:
    """To the call's CNSA contacts, once per call: how many proposals each
    outcome took and links to the panel's ranking and decisions pages (the
    template makes them absolute from settings.SITE_URL). Called by
    reviews.services.release_decisions with the decisions it released."""
    counts = {outcome.value: 0 for outcome in DecisionOutcome}
    for decision in decisions:
        counts[decision.outcome] += 1
    _send(
        event=f"decisions-summary:{opportunity.pk}",
        recipients=contacts(opportunity),
        template="decision_summary",
        context={
            **_call_context(opportunity),
            "opportunity_id": opportunity.pk,
            "total": sum(counts.values()),
            "selected": counts[DecisionOutcome.SELECTED],
            "conditionally_selected": counts[DecisionOutcome.CONDITIONALLY_SELECTED],
            "not_selected": counts[DecisionOutcome.NOT_SELECTED],
            "ranking_path": _path_or(
                "admin:reviews_panel_ranking", [opportunity.pk], "/admin/panel/"
            ),
            "path": _path_or(
                "admin:reviews_panel_decisions", [opportunity.pk], "/admin/panel/"
            ),
        },
        reply_to="",
    )
