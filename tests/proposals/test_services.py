import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalogue.enums import OpportunityStatus, ResourcePolicy
from proposals.enums import ProposalStage, ProposalStatus, Section
from proposals.models import Proposal, ProposalEvent, ProposalVersion, TeamMember
from proposals.selectors import version_for_review
from proposals.services import (
    CannotStartProposal,
    LetterDecisionRefused,
    ProposalLocked,
    SubmissionRefused,
    accept_statements,
    decline_letter,
    shortlist_letter,
    start_proposal,
    submit_proposal,
    update_section,
    withdraw_proposal,
)
from proposals.workflow import TransitionNotAllowed
from tests.factories import (
    CarrierFactory,
    OpportunityFactory,
    ProposalFactory,
    StatementFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator():
    return UserFactory(superuser=True)


def _submit(proposal, **kwargs):
    return submit_proposal(
        proposal=proposal, actor=proposal.principal_investigator, **kwargs
    )


def _refusal(proposal, **kwargs) -> list[str]:
    with pytest.raises(SubmissionRefused) as refusal:
        _submit(proposal, **kwargs)
    return refusal.value.messages


# Starting -------------------------------------------------------------------


def test_start_proposal_without_letter_stage_starts_a_full_draft(researcher):
    proposal = start_proposal(opportunity=OpportunityFactory(), actor=researcher)

    assert (proposal.stage, proposal.status, proposal.reference) == (
        ProposalStage.FULL,
        ProposalStatus.DRAFT,
        "",
    )
    assert proposal.principal_investigator == researcher


def test_start_proposal_with_letter_stage_starts_a_letter(researcher, letter_call):
    proposal = start_proposal(opportunity=letter_call, actor=researcher)

    assert proposal.stage == ProposalStage.LETTER_OF_INTENT


def test_start_proposal_after_the_letter_deadline_is_refused(researcher, letter_call):
    with pytest.raises(CannotStartProposal) as refusal:
        start_proposal(
            opportunity=letter_call,
            actor=researcher,
            now=letter_call.loi_deadline + timedelta(seconds=1),
        )

    assert str(refusal.value) == (
        "Letters of intent for this call are closed; only shortlisted teams submit "
        "full proposals."
    )


@pytest.mark.parametrize("trait", ["closed", "draft", "cancelled"])
def test_start_proposal_in_a_call_not_open_is_refused(researcher, trait):
    with pytest.raises(CannotStartProposal):
        start_proposal(
            opportunity=OpportunityFactory(**{trait: True}), actor=researcher
        )

    assert Proposal.objects.count() == 0


# Sections -------------------------------------------------------------------


def test_update_section_saves_that_section_only():
    proposal = ProposalFactory(complete=True)
    before = Proposal.objects.values().get(pk=proposal.pk)

    update_section(
        proposal=proposal,
        section=Section.SUMMARY,
        data={"title": "Radon at the south pole", "keywords": "radon"},
        actor=proposal.principal_investigator,
    )

    after = Proposal.objects.values().get(pk=proposal.pk)
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"title", "keywords", "updated_at"}
    assert (after["title"], after["keywords"]) == ("Radon at the south pole", "radon")


def test_update_section_resources_takes_a_carrier_of_the_call():
    proposal = ProposalFactory()
    orbiter = CarrierFactory(opportunity=proposal.opportunity, name_en="Orbiter")

    stored = update_section(
        proposal=proposal,
        section=Section.RESOURCES,
        data={"carrier": orbiter.pk, "mass_kg": "4.5", "length_mm": 120},
        actor=proposal.principal_investigator,
    )

    assert (stored.carrier, stored.mass_kg, stored.length_mm) == (
        orbiter,
        Decimal("4.5"),
        120,
    )


@pytest.mark.parametrize(
    ("section", "data", "field", "message"),
    [
        (
            Section.RESOURCES,
            {"carrier": "other-call"},
            "carrier",
            "Choose one of the carriers this call offers.",
        ),
        (
            Section.PAYLOAD,
            {"trl": 10},
            "trl",
            "Ensure this value is less than or equal to 9.",
        ),
        (
            Section.RESOURCES,
            {"mass_kg": "-1"},
            "mass_kg",
            "-1 kg is below zero: enter a figure from 0 to 99,999.999 kg.",
        ),
        (
            Section.RESOURCES,
            {"power_avg_w": "20", "power_peak_w": "10"},
            "__all__",
            "The peak power cannot be lower than the average power.",
        ),
    ],
)
def test_update_section_refuses_invalid_values(section, data, field, message):
    proposal = ProposalFactory(complete=True)
    if data.get("carrier") == "other-call":
        data = {"carrier": CarrierFactory().pk}
    before = Proposal.objects.values().get(pk=proposal.pk)

    with pytest.raises(ValidationError) as refusal:
        update_section(
            proposal=proposal,
            section=section,
            data=data,
            actor=proposal.principal_investigator,
        )

    assert refusal.value.message_dict[field] == [message]
    assert Proposal.objects.values().get(pk=proposal.pk) == before


def test_update_section_refuses_fields_of_another_section():
    proposal = ProposalFactory()

    with pytest.raises(ValueError, match="Fields not in section summary"):
        update_section(
            proposal=proposal,
            section=Section.SUMMARY,
            data={"mass_kg": 1},
            actor=proposal.principal_investigator,
        )


def test_update_section_of_a_withdrawn_proposal_is_locked():
    proposal = ProposalFactory(status=ProposalStatus.WITHDRAWN)

    with pytest.raises(ProposalLocked) as refusal:
        update_section(
            proposal=proposal,
            section=Section.SUMMARY,
            data={"title": "Again"},
            actor=proposal.principal_investigator,
        )

    assert str(refusal.value) == (
        "This proposal is withdrawn and can no longer be changed."
    )


def test_update_section_of_a_submitted_proposal_revises_it_before_the_deadline():
    proposal = ProposalFactory(submitted=True)

    stored = update_section(
        proposal=proposal,
        section=Section.SUMMARY,
        data={"title": "Revised"},
        actor=proposal.principal_investigator,
    )

    assert (stored.title, stored.status) == ("Revised", ProposalStatus.SUBMITTED)


def test_update_section_of_a_submitted_proposal_is_locked_after_the_deadline():
    proposal = ProposalFactory(submitted=True)

    with pytest.raises(ProposalLocked):
        update_section(
            proposal=proposal,
            section=Section.SUMMARY,
            data={"title": "Too late"},
            actor=proposal.principal_investigator,
            now=proposal.opportunity.proposal_deadline + timedelta(seconds=1),
        )


def test_update_section_by_a_confirmed_co_investigator():
    member = TeamMemberFactory(confirmed=True, user=UserFactory())

    stored = update_section(
        proposal=member.proposal,
        section=Section.FUNDING,
        data={"funding_statement": "Our agency funds it."},
        actor=member.user,
    )

    assert stored.funding_statement == "Our agency funds it."


@pytest.mark.parametrize(
    "who", ["stranger", "unconfirmed co-investigator", "confirmed collaborator"]
)
def test_update_section_refused_to_those_who_may_not_edit(who):
    proposal = ProposalFactory()
    user = UserFactory()
    if who == "unconfirmed co-investigator":
        TeamMemberFactory(proposal=proposal, user=user)
    elif who == "confirmed collaborator":
        TeamMemberFactory(
            proposal=proposal, user=user, confirmed=True, role="collaborator"
        )

    with pytest.raises(PermissionDenied):
        update_section(
            proposal=proposal, section=Section.SUMMARY, data={"title": "x"}, actor=user
        )

    assert Proposal.objects.get(pk=proposal.pk).title == proposal.title


# Statements -----------------------------------------------------------------


def test_accept_statements_sets_the_accepted_set():
    proposal = ProposalFactory()
    first, second = StatementFactory.create_batch(2, opportunity=proposal.opportunity)
    pi = proposal.principal_investigator
    accept_statements(proposal=proposal, statement_ids=[first.pk, second.pk], actor=pi)

    accept_statements(proposal=proposal, statement_ids=[second.pk], actor=pi)

    assert list(proposal.statement_acceptances.values_list("statement", flat=True)) == [
        second.pk
    ]


def test_accept_statements_refuses_statements_of_another_call():
    proposal = ProposalFactory()

    with pytest.raises(ValidationError):
        accept_statements(
            proposal=proposal,
            statement_ids=[StatementFactory().pk],
            actor=proposal.principal_investigator,
        )


def test_accept_statements_is_for_the_principal_investigator_only():
    member = TeamMemberFactory(confirmed=True, user=UserFactory())
    statement = StatementFactory(opportunity=member.proposal.opportunity)

    with pytest.raises(PermissionDenied):
        accept_statements(
            proposal=member.proposal, statement_ids=[statement.pk], actor=member.user
        )


# Submission guards ----------------------------------------------------------


def test_submit_proposal_complete_draft_is_accepted(ready_proposal):
    proposal = ready_proposal()

    version = _submit(proposal)

    stored = Proposal.objects.get(pk=proposal.pk)
    assert (stored.status, stored.reference, version.number) == (
        ProposalStatus.SUBMITTED,
        version.reference,
        1,
    )
    assert stored.submitted_at == version.submitted_at
    event = ProposalEvent.objects.get(proposal=proposal)
    assert (event.from_status, event.to_status, event.note) == (
        ProposalStatus.DRAFT,
        ProposalStatus.SUBMITTED,
        "Version 1 submitted.",
    )


def test_submit_proposal_by_someone_else_than_the_pi_is_refused(ready_proposal):
    proposal = ready_proposal()
    co_investigator = UserFactory()
    TeamMemberFactory(proposal=proposal, user=co_investigator, confirmed=True)

    with pytest.raises(PermissionDenied) as refusal:
        submit_proposal(proposal=proposal, actor=co_investigator)

    assert str(refusal.value) == "Only the principal investigator can submit."
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.DRAFT


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"abstract": ""}, "Summary: fill in abstract."),
        ({"title": "", "keywords": " "}, "Summary: fill in title, keywords."),
        (
            {"objectives": ""},
            "Science and technology objectives: fill in science and technology "
            "objectives.",
        ),
        (
            {"trl": None},
            "Payload description and maturity: fill in technology readiness level.",
        ),
        ({"carrier": None}, "Resources requested: fill in carrier."),
        (
            {"power_peak_w": None, "height_mm": None},
            "Resources requested: fill in peak power (W), height (mm).",
        ),
        ({"funding_statement": ""}, "Funding: fill in funding statement."),
        (
            {"mass_kg": Decimal("12.5")},
            "The payload requests 12.5 kg; the {carrier} offers at most 10 kg per "
            "payload.",
        ),
    ],
)
def test_submit_proposal_incomplete_section_is_refused(ready_proposal, change, message):
    proposal = ready_proposal()
    Proposal.objects.filter(pk=proposal.pk).update(**change)

    messages = _refusal(proposal)

    assert messages == [message.format(carrier=proposal.carrier)]
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.DRAFT
    assert ProposalVersion.objects.count() == 0


def test_submit_proposal_over_the_envelope_passes_when_the_call_only_warns(
    ready_proposal,
):
    proposal = ready_proposal(
        opportunity=OpportunityFactory(resource_policy=ResourcePolicy.WARN),
        mass_kg=Decimal("12.5"),
    )

    assert _submit(proposal).number == 1


def test_submit_proposal_with_an_unconfirmed_member_is_refused(ready_proposal):
    proposal = ready_proposal()
    TeamMemberFactory(proposal=proposal, name="Luca Bianchi")

    assert _refusal(proposal) == [
        "These team members have not yet confirmed their participation and "
        "institution: Luca Bianchi."
    ]


def test_submit_proposal_with_too_many_entities_is_refused(ready_proposal):
    proposal = ready_proposal(opportunity=OpportunityFactory(max_entities=2))
    TeamMemberFactory(proposal=proposal, confirmed=True, institution="Another one")

    assert _refusal(proposal) == [
        "The team spans 3 entities (distinct institutions, yours included); this "
        "call allows at most 2."
    ]


def test_submit_proposal_counts_one_institution_once(ready_proposal):
    proposal = ready_proposal(opportunity=OpportunityFactory(max_entities=2))
    pi_institution = proposal.principal_investigator.institution
    TeamMemberFactory(
        proposal=proposal, confirmed=True, institution=f"  {pi_institution.upper()} "
    )

    assert _submit(proposal).number == 1


def test_submit_proposal_with_the_pi_outside_the_lead_country_is_refused(
    ready_proposal,
):
    proposal = ready_proposal(opportunity=OpportunityFactory(lead_country="CN"))

    assert _refusal(proposal) == [
        "This call requires the principal investigator's institution to be in "
        "China; your profile says France."
    ]


def test_submit_proposal_with_the_pi_in_the_lead_country_is_accepted(ready_proposal):
    pi = UserFactory(chinese=True, institution="National Space Science Center")
    proposal = ready_proposal(
        opportunity=OpportunityFactory(lead_country="CN"), principal_investigator=pi
    )

    assert _submit(proposal).number == 1


def test_submit_proposal_without_the_pi_institution_is_refused(ready_proposal):
    proposal = ready_proposal(principal_investigator=UserFactory(institution=""))

    assert _refusal(proposal) == [
        "Add your institution and country to your profile: the principal "
        "investigator's institution is one of the team's entities."
    ]


def test_submit_proposal_without_a_mandatory_document_is_refused(ready_proposal):
    proposal = ready_proposal()
    proposal.documents.all().delete()

    assert _refusal(proposal) == ["Upload “Full proposal” as a PDF."]


def test_submit_proposal_without_the_statements_accepted_is_refused(ready_proposal):
    proposal = ready_proposal()
    StatementFactory(opportunity=proposal.opportunity)

    assert _refusal(proposal) == [
        "Accept the statements of the call: 1 of 2 still to accept."
    ]


@pytest.mark.parametrize("trait", ["closed", "cancelled"])
def test_submit_proposal_to_a_call_not_open_is_refused(ready_proposal, trait):
    proposal = ready_proposal()
    opportunity = proposal.opportunity
    opportunity.status = (
        OpportunityStatus.CLOSED if trait == "closed" else OpportunityStatus.CANCELLED
    )
    opportunity.save()

    assert _refusal(proposal) == ["This call is not open for submissions."]


def test_submit_proposal_lists_every_reason_at_once(ready_proposal):
    proposal = ready_proposal()
    Proposal.objects.filter(pk=proposal.pk).update(abstract="", funding_statement="")

    assert _refusal(proposal) == [
        "Summary: fill in abstract.",
        "Funding: fill in funding statement.",
    ]


def test_submit_proposal_withdrawn_is_refused(ready_proposal):
    proposal = ready_proposal(status=ProposalStatus.WITHDRAWN)

    assert _refusal(proposal) == ["This proposal is withdrawn and cannot be submitted."]


# Deadline, judged on the server ---------------------------------------------


def test_submit_proposal_one_second_before_the_deadline_is_accepted(ready_proposal):
    proposal = ready_proposal()
    deadline = proposal.opportunity.proposal_deadline

    version = _submit(proposal, now=deadline - timedelta(seconds=1))

    assert version.submitted_at == deadline - timedelta(seconds=1)


@pytest.mark.parametrize("late", [timedelta(0), timedelta(seconds=1)])
def test_submit_proposal_at_or_after_the_deadline_is_refused_and_the_draft_kept(
    ready_proposal, late
):
    proposal = ready_proposal()
    deadline = proposal.opportunity.proposal_deadline
    before = Proposal.objects.values().get(pk=proposal.pk)

    messages = _refusal(proposal, now=deadline + late)

    assert messages == [f"The proposal deadline passed on {_beijing(deadline)}."]
    assert Proposal.objects.values().get(pk=proposal.pk) == before
    assert ProposalVersion.objects.count() == 0
    assert proposal.documents.count() == 1


def test_submit_proposal_uses_the_server_clock_by_default(ready_proposal, monkeypatch):
    proposal = ready_proposal()
    late = proposal.opportunity.proposal_deadline + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: late)

    with pytest.raises(SubmissionRefused):
        _submit(proposal)


def _beijing(moment) -> str:
    """How an English refusal writes a moment: "11 Dec 2026, 06:45 Beijing time
    (UTC+8)", written out here rather than through the format it checks."""
    local = moment.astimezone(timezone.get_fixed_timezone(480))
    return f"{local.day} {local:%b %Y, %H:%M} Beijing time (UTC+8)"


# Versions -------------------------------------------------------------------


def test_submit_proposal_freezes_every_field_the_team_and_the_documents(
    ready_proposal,
):
    proposal = ready_proposal(title="月球南极氡监测仪")
    member = proposal.team_members.get()
    document = proposal.documents.get()

    version = _submit(proposal)

    snapshot = version.snapshot
    assert snapshot["reference"] == version.reference
    assert snapshot["summary"]["title"] == "月球南极氡监测仪"
    assert snapshot["payload"]["trl"] == 6
    assert snapshot["resources"]["mass_kg"] == "4.500"
    assert snapshot["resources"]["carrier"]["id"] == proposal.carrier_id
    assert snapshot["funding"]["funding_statement"] == proposal.funding_statement
    assert snapshot["principal_investigator"]["country"] == "FR"
    assert [(m["id"], m["institution"], m["country"]) for m in snapshot["team"]] == [
        (member.pk, member.institution, "IT")
    ]
    assert [
        (d["id"], d["sha256"], d["original_name"]) for d in snapshot["documents"]
    ] == [(document.pk, document.sha256, document.original_name)]
    assert len(snapshot["statements"]) == 1
    assert list(version.documents.all()) == [document]


def test_submit_proposal_again_adds_a_version_and_leaves_the_first_identical(
    ready_proposal,
):
    proposal = ready_proposal()
    pi = proposal.principal_investigator
    first = _submit(proposal)
    frozen = json.dumps(
        ProposalVersion.objects.values().get(pk=first.pk), sort_keys=True, default=str
    )
    update_section(
        proposal=proposal, section=Section.SUMMARY, data={"title": "Revised"}, actor=pi
    )

    second = _submit(proposal)

    assert second.number == 2
    assert second.snapshot["summary"]["title"] == "Revised"
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.SUBMITTED
    assert (
        json.dumps(
            ProposalVersion.objects.values().get(pk=first.pk),
            sort_keys=True,
            default=str,
        )
        == frozen
    )
    notes = list(ProposalEvent.objects.order_by("pk").values_list("note", flat=True))
    assert notes == ["Version 1 submitted.", "Version 2 submitted."]


def test_proposal_version_cannot_be_updated(ready_proposal):
    version = _submit(ready_proposal())
    version.snapshot = {"tampered": True}

    with pytest.raises(ValueError, match="cannot be changed"):
        version.save()

    assert ProposalVersion.objects.get(pk=version.pk).snapshot != {"tampered": True}


def test_version_for_review_is_the_last_before_the_deadline(ready_proposal):
    proposal = ready_proposal()
    deadline = proposal.opportunity.proposal_deadline
    early = _submit(proposal, now=deadline - timedelta(days=3))
    _submit(proposal, now=deadline - timedelta(days=1))
    # An amendment brings the deadline forward, between the two versions.
    proposal.opportunity.proposal_deadline = deadline - timedelta(days=2)
    proposal.opportunity.save()

    assert version_for_review(Proposal.objects.get(pk=proposal.pk)) == early


def test_version_for_review_of_a_draft_is_none():
    assert version_for_review(ProposalFactory()) is None


# Withdrawal -----------------------------------------------------------------


def test_withdraw_proposal_draft():
    proposal = ProposalFactory()

    withdraw_proposal(proposal=proposal, actor=proposal.principal_investigator)

    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.WITHDRAWN


def test_withdraw_proposal_submitted_keeps_its_number_and_versions(ready_proposal):
    proposal = ready_proposal()
    version = _submit(proposal)

    withdraw_proposal(
        proposal=proposal, actor=proposal.principal_investigator, reason="No funding"
    )

    stored = Proposal.objects.get(pk=proposal.pk)
    assert (stored.status, stored.reference) == (
        ProposalStatus.WITHDRAWN,
        version.reference,
    )
    assert list(stored.versions.all()) == [version]
    assert stored.events.last().note == "No funding"


def test_withdraw_proposal_by_a_co_investigator_is_refused():
    member = TeamMemberFactory(confirmed=True, user=UserFactory())

    with pytest.raises(PermissionDenied):
        withdraw_proposal(proposal=member.proposal, actor=member.user)

    assert member.proposal.status == ProposalStatus.DRAFT


def test_withdraw_proposal_under_review_is_refused():
    proposal = ProposalFactory(submitted=True, status=ProposalStatus.UNDER_REVIEW)

    with pytest.raises(TransitionNotAllowed):
        withdraw_proposal(proposal=proposal, actor=proposal.principal_investigator)


# Letters of intent ----------------------------------------------------------


def _submitted_letter(ready_proposal, letter_call):
    letter = ready_proposal(
        opportunity=letter_call, stage=ProposalStage.LETTER_OF_INTENT
    )
    _submit(letter)
    letter.refresh_from_db()
    return letter


def test_submit_proposal_letter_with_the_letter_requirements(
    ready_proposal, letter_call
):
    letter = ready_proposal(
        opportunity=letter_call,
        stage=ProposalStage.LETTER_OF_INTENT,
        objectives="",
        relevance="",
        trl=None,
        funding_statement="",
    )

    version = _submit(letter)

    assert (version.stage, version.number) == (ProposalStage.LETTER_OF_INTENT, 1)


def test_submit_proposal_letter_after_its_deadline_is_refused(
    ready_proposal, letter_call
):
    letter = ready_proposal(
        opportunity=letter_call, stage=ProposalStage.LETTER_OF_INTENT
    )

    messages = _refusal(letter, now=letter_call.loi_deadline + timedelta(seconds=1))

    assert messages == [
        f"The letter-of-intent deadline passed on {_beijing(letter_call.loi_deadline)}."
    ]


def test_shortlist_letter_makes_a_full_draft_with_the_letter_content(
    ready_proposal, letter_call, administrator
):
    letter = _submitted_letter(ready_proposal, letter_call)
    after_letters = letter_call.loi_deadline + timedelta(hours=1)

    shortlist_letter(proposal=letter, actor=administrator, now=after_letters)

    stored = Proposal.objects.get(pk=letter.pk)
    assert (stored.stage, stored.status, stored.title, stored.reference) == (
        ProposalStage.FULL,
        ProposalStatus.DRAFT,
        letter.title,
        letter.reference,
    )
    assert stored.events.last().note == "Letter of intent shortlisted."


def test_shortlisted_letter_is_submitted_as_a_full_proposal(
    ready_proposal, letter_call, administrator
):
    letter = _submitted_letter(ready_proposal, letter_call)
    after_letters = letter_call.loi_deadline + timedelta(hours=1)
    shortlist_letter(proposal=letter, actor=administrator, now=after_letters)

    version = _submit(letter, now=after_letters)

    assert (version.number, version.stage, version.reference) == (
        2,
        ProposalStage.FULL,
        letter.reference,
    )
    assert version_for_review(letter, stage=ProposalStage.LETTER_OF_INTENT).number == 1
    assert version_for_review(Proposal.objects.get(pk=letter.pk)) == version


def test_letter_not_shortlisted_cannot_reach_the_full_stage(
    ready_proposal, letter_call
):
    letter = ready_proposal(
        opportunity=letter_call, stage=ProposalStage.LETTER_OF_INTENT
    )
    after_letters = letter_call.loi_deadline + timedelta(hours=1)

    with pytest.raises(SubmissionRefused):
        _submit(letter, now=after_letters)

    assert Proposal.objects.get(pk=letter.pk).stage == ProposalStage.LETTER_OF_INTENT


def test_shortlist_letter_before_the_letter_deadline_is_refused(
    ready_proposal, letter_call, administrator
):
    letter = _submitted_letter(ready_proposal, letter_call)

    with pytest.raises(LetterDecisionRefused):
        shortlist_letter(proposal=letter, actor=administrator)

    assert Proposal.objects.get(pk=letter.pk).stage == ProposalStage.LETTER_OF_INTENT


def test_shortlist_letter_by_a_staff_user_without_the_permission_is_refused(
    ready_proposal, letter_call
):
    letter = _submitted_letter(ready_proposal, letter_call)

    with pytest.raises(PermissionDenied):
        shortlist_letter(
            proposal=letter,
            actor=UserFactory(staff=True),
            now=letter_call.loi_deadline + timedelta(hours=1),
        )


def test_shortlist_letter_refuses_a_full_proposal(administrator):
    proposal = ProposalFactory(submitted=True)

    with pytest.raises(LetterDecisionRefused) as refusal:
        shortlist_letter(proposal=proposal, actor=administrator)

    assert str(refusal.value) == "This proposal is not a letter of intent."


def test_decline_letter_records_the_note(ready_proposal, letter_call, administrator):
    letter = _submitted_letter(ready_proposal, letter_call)

    decline_letter(
        proposal=letter,
        actor=administrator,
        note="Outside the mission's scope.",
        now=letter_call.loi_deadline + timedelta(hours=1),
    )

    stored = Proposal.objects.get(pk=letter.pk)
    assert (stored.stage, stored.status) == (
        ProposalStage.LETTER_OF_INTENT,
        ProposalStatus.DECLINED,
    )
    assert stored.events.last().note == "Outside the mission's scope."
    assert stored.events.last().actor == administrator


def test_team_member_rows_survive_shortlisting(
    ready_proposal, letter_call, administrator
):
    letter = _submitted_letter(ready_proposal, letter_call)

    shortlist_letter(
        proposal=letter,
        actor=administrator,
        now=letter_call.loi_deadline + timedelta(hours=1),
    )

    assert (
        TeamMember.objects.filter(proposal=letter, confirmed_at__isnull=False).count()
        == 1
    )
