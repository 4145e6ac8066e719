from datetime import timedelta

import pytest

from notifications.models import OutboundEmail
from notifications.previews import render_preview
from notifications.reminders import send_due_reminders
from proposals.services import (
    SubmissionRefused,
    add_team_member,
    decline_letter,
    shortlist_letter,
    submit_proposal,
    withdraw_proposal,
)
from tests.factories import (
    ContactFactory,
    ProposalFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PROPOSAL_TEMPLATES = [
    "proposal_submitted",
    "proposal_withdrawn",
    "proposal_team_invitation",
    "proposal_letter_shortlisted",
    "proposal_letter_declined",
    "proposal_deadline_reminder",
]


def _recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


def _team_and_contacts(proposal) -> tuple[list[str], list[str]]:
    team = [proposal.principal_investigator.email] + [
        m.email for m in proposal.team_members.all()
    ]
    contacts = [c.email for c in proposal.opportunity.contacts.order_by("pk")]
    return team, contacts


def test_submit_proposal_emails_the_team_and_the_cnsa_contacts_once_each(
    ready_proposal, django_capture_on_commit_callbacks, mailoutbox
):
    proposal = ready_proposal()
    team, contacts = _team_and_contacts(proposal)

    with django_capture_on_commit_callbacks(execute=True):
        version = submit_proposal(
            proposal=proposal, actor=proposal.principal_investigator
        )

    assert _recipients(mailoutbox) == sorted(team + contacts)
    assert {tuple(m.reply_to) for m in mailoutbox} == {(contacts[0],)}
    message = mailoutbox[0]
    assert (
        message.subject == f"[{version.reference}] Proposal submitted: {proposal.title}"
    )
    assert version.reference in message.body
    assert f"/proposals/{proposal.pk}/" in message.body


def test_submit_proposal_emails_a_contact_on_the_team_once(
    ready_proposal, django_capture_on_commit_callbacks, mailoutbox
):
    proposal = ready_proposal()
    contact = proposal.opportunity.contacts.order_by("pk").first()
    TeamMemberFactory(proposal=proposal, email=contact.email, confirmed=True)

    with django_capture_on_commit_callbacks(execute=True):
        submit_proposal(proposal=proposal, actor=proposal.principal_investigator)

    assert _recipients(mailoutbox).count(contact.email) == 1


def test_submit_proposal_again_emails_the_new_version(
    ready_proposal, django_capture_on_commit_callbacks, mailoutbox
):
    proposal = ready_proposal()
    submit_proposal(proposal=proposal, actor=proposal.principal_investigator)
    team, contacts = _team_and_contacts(proposal)

    with django_capture_on_commit_callbacks(execute=True):
        version = submit_proposal(
            proposal=proposal, actor=proposal.principal_investigator
        )

    assert _recipients(mailoutbox) == sorted(team + contacts)
    assert mailoutbox[0].subject == (
        f"[{version.reference}] Version 2 submitted: {proposal.title}"
    )


def test_submit_proposal_refused_emails_nobody(
    ready_proposal, django_capture_on_commit_callbacks, mailoutbox
):
    proposal = ready_proposal(abstract="")

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(SubmissionRefused),
    ):
        submit_proposal(proposal=proposal, actor=proposal.principal_investigator)

    assert mailoutbox == []
    assert OutboundEmail.objects.count() == 0


def test_submit_proposal_email_in_chinese_uses_the_chinese_call_title(
    ready_proposal, django_capture_on_commit_callbacks, mailoutbox
):
    pi = UserFactory(chinese=True, institution="National Space Science Center")
    proposal = ready_proposal(principal_investigator=pi)

    with django_capture_on_commit_callbacks(execute=True):
        submit_proposal(proposal=proposal, actor=pi)

    to_pi = next(m for m in mailoutbox if m.to == [pi.email])
    assert proposal.opportunity.title_zh_hans in to_pi.body


def test_withdraw_proposal_draft_emails_the_team_only(
    django_capture_on_commit_callbacks, mailoutbox
):
    member = TeamMemberFactory()
    proposal = member.proposal
    proposal.opportunity.contacts.add(ContactFactory())

    with django_capture_on_commit_callbacks(execute=True):
        withdraw_proposal(proposal=proposal, actor=proposal.principal_investigator)

    assert _recipients(mailoutbox) == sorted(
        [proposal.principal_investigator.email, member.email]
    )
    assert mailoutbox[0].subject == f"Draft proposal withdrawn: {proposal.title}"


def test_withdraw_proposal_submitted_tells_the_cnsa_contacts_too(
    ready_proposal, django_capture_on_commit_callbacks, mailoutbox
):
    proposal = ready_proposal()
    version = submit_proposal(proposal=proposal, actor=proposal.principal_investigator)
    team, contacts = _team_and_contacts(proposal)

    with django_capture_on_commit_callbacks(execute=True):
        withdraw_proposal(
            proposal=proposal,
            actor=proposal.principal_investigator,
            reason="The detector failed its vibration test.",
        )

    assert _recipients(mailoutbox) == sorted(team + contacts)
    assert mailoutbox[0].subject == (
        f"[{version.reference}] Proposal withdrawn: {proposal.title}"
    )
    assert "The detector failed its vibration test." in mailoutbox[0].body


def test_add_team_member_emails_the_invitation_to_that_member_only(
    django_capture_on_commit_callbacks, mailoutbox
):
    proposal = ProposalFactory()

    with django_capture_on_commit_callbacks(execute=True):
        add_team_member(
            proposal=proposal,
            name="Luca Bianchi",
            email="luca@inaf.example.org",
            institution="INAF",
            country="IT",
            actor=proposal.principal_investigator,
        )

    assert _recipients(mailoutbox) == ["luca@inaf.example.org"]
    message = mailoutbox[0]
    assert message.subject == f'Please confirm your participation in "{proposal.title}"'
    assert "/proposals/team/confirm/" in message.body
    assert message.reply_to == [proposal.principal_investigator.email]
    assert OutboundEmail.objects.get().sensitive is True


def _submitted_letter(ready_proposal, letter_call):
    letter = ready_proposal(opportunity=letter_call, stage="loi")
    submit_proposal(proposal=letter, actor=letter.principal_investigator)
    letter.refresh_from_db()
    return letter


def test_shortlist_letter_emails_the_team(
    ready_proposal, letter_call, django_capture_on_commit_callbacks, mailoutbox
):
    letter = _submitted_letter(ready_proposal, letter_call)
    team, _contacts = _team_and_contacts(letter)

    with django_capture_on_commit_callbacks(execute=True):
        shortlist_letter(
            proposal=letter,
            actor=UserFactory(superuser=True),
            now=letter_call.loi_deadline + timedelta(hours=1),
        )

    assert _recipients(mailoutbox) == sorted(team)
    assert mailoutbox[0].subject == (
        f"[{letter.reference}] Letter of intent shortlisted: {letter.title}"
    )


def test_decline_letter_emails_the_team_with_the_note(
    ready_proposal, letter_call, django_capture_on_commit_callbacks, mailoutbox
):
    letter = _submitted_letter(ready_proposal, letter_call)
    team, _contacts = _team_and_contacts(letter)

    with django_capture_on_commit_callbacks(execute=True):
        decline_letter(
            proposal=letter,
            actor=UserFactory(superuser=True),
            note="The lander's mass budget is fully booked.",
            now=letter_call.loi_deadline + timedelta(hours=1),
        )

    assert _recipients(mailoutbox) == sorted(team)
    assert "The lander's mass budget is fully booked." in mailoutbox[0].body
    assert letter.reference in mailoutbox[0].subject


# Deadline reminders ---------------------------------------------------------


def _reminders(mailoutbox) -> list[tuple[str, str]]:
    return sorted((m.to[0], m.subject) for m in mailoutbox)


def test_deadline_reminders_are_sent_once_when_run_twice(
    django_capture_on_commit_callbacks, mailoutbox
):
    proposal = ProposalFactory()
    co_investigator = TeamMemberFactory(
        proposal=proposal, user=UserFactory(), confirmed=True
    )
    TeamMemberFactory(proposal=proposal, user=UserFactory())  # not confirmed
    TeamMemberFactory(proposal=proposal, confirmed=True, role="collaborator")
    six_days_before = proposal.opportunity.proposal_deadline - timedelta(days=6)

    with django_capture_on_commit_callbacks(execute=True):
        send_due_reminders(now=six_days_before)
        send_due_reminders(now=six_days_before + timedelta(minutes=15))

    subject = f"Deadline in less than 7 days: {proposal.title}"
    assert _reminders(mailoutbox) == sorted(
        [
            (proposal.principal_investigator.email, subject),
            (co_investigator.user.email, subject),
        ]
    )


def test_deadline_reminders_seven_days_then_one_day(
    django_capture_on_commit_callbacks, mailoutbox
):
    proposal = ProposalFactory()
    deadline = proposal.opportunity.proposal_deadline

    with django_capture_on_commit_callbacks(execute=True):
        for before in (timedelta(days=8), timedelta(days=6), timedelta(hours=20)):
            send_due_reminders(now=deadline - before)
        send_due_reminders(now=deadline - timedelta(hours=2))

    assert [m.subject for m in mailoutbox] == [
        f"Deadline in less than 7 days: {proposal.title}",
        f"Deadline in less than a day: {proposal.title}",
    ]


def test_deadline_reminders_skip_submitted_and_withdrawn_proposals(
    django_capture_on_commit_callbacks, mailoutbox
):
    submitted = ProposalFactory(submitted=True)
    ProposalFactory(status="withdrawn", opportunity=submitted.opportunity)

    with django_capture_on_commit_callbacks(execute=True):
        send_due_reminders(
            now=submitted.opportunity.proposal_deadline - timedelta(days=2)
        )

    assert mailoutbox == []


def test_deadline_reminders_of_a_letter_follow_the_letter_deadline(
    letter_call, django_capture_on_commit_callbacks, mailoutbox
):
    letter = ProposalFactory(opportunity=letter_call, stage="loi")

    with django_capture_on_commit_callbacks(execute=True):
        send_due_reminders(now=letter_call.loi_deadline - timedelta(hours=3))

    assert _reminders(mailoutbox) == [
        (
            letter.principal_investigator.email,
            f"Deadline in less than a day: {letter.title}",
        )
    ]
    assert "letter of intent" in mailoutbox[0].body


@pytest.mark.parametrize("template", PROPOSAL_TEMPLATES)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_proposal_email_previews_render(template, language):
    preview = render_preview(name=template, language=language)

    assert preview.subject
    assert "{%" not in preview.text + preview.html
    assert "/proposals/" in preview.text
