import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from proposals.models import Proposal, ReferenceCounter
from proposals.references import next_reference, reference_year
from proposals.services import submit_proposal, withdraw_proposal
from tests.factories import MissionFactory, OpportunityFactory

OPENS = datetime(2026, 6, 1, tzinfo=UTC)
DEADLINE = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)  # 1 January 2027, 01:00 in Beijing
SUBMIT_AT = datetime(2026, 7, 1, tzinfo=UTC)


def _call(code="CE7", **overrides):
    return OpportunityFactory(
        mission=MissionFactory(code=code, slug=f"mission-{code.lower()}"),
        opens_at=OPENS,
        proposal_deadline=DEADLINE,
        **overrides,
    )


def _submit(proposal, **kwargs):
    return submit_proposal(
        proposal=proposal,
        actor=proposal.principal_investigator,
        now=SUBMIT_AT,
        **kwargs,
    )


def test_reference_year_is_the_deadline_year_in_beijing():
    opportunity = OpportunityFactory.build(proposal_deadline=DEADLINE)

    assert reference_year(opportunity) == 2027


@pytest.mark.django_db(transaction=True)
def test_next_reference_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError):
        next_reference(opportunity=_call())


@pytest.mark.django_db
def test_submit_proposal_numbers_submissions_per_mission_and_year(ready_proposal):
    chang_e7 = _call("CE7")
    first = ready_proposal(opportunity=chang_e7)
    second = ready_proposal(opportunity=chang_e7)
    other_mission = ready_proposal(opportunity=_call("TW3"))

    references = [_submit(p).reference for p in (first, second, other_mission)]

    assert references == ["CE7-2027-0001", "CE7-2027-0002", "TW3-2027-0001"]


@pytest.mark.django_db
def test_submit_proposal_shares_the_counter_of_calls_of_one_mission_and_year(
    ready_proposal,
):
    first_call = _call("CE8")
    second_call = OpportunityFactory(
        mission=first_call.mission, opens_at=OPENS, proposal_deadline=DEADLINE
    )

    references = [
        _submit(ready_proposal(opportunity=call)).reference
        for call in (first_call, second_call)
    ]

    assert references == ["CE8-2027-0001", "CE8-2027-0002"]


@pytest.mark.django_db
def test_reference_number_is_kept_on_resubmission(ready_proposal):
    proposal = ready_proposal(opportunity=_call())

    first = _submit(proposal)
    second = _submit(proposal)

    assert (first.reference, second.reference) == ("CE7-2027-0001", "CE7-2027-0001")
    assert ReferenceCounter.objects.get().last_number == 1


@pytest.mark.django_db
def test_reference_number_of_a_withdrawn_proposal_is_never_reused(ready_proposal):
    call = _call()
    withdrawn = ready_proposal(opportunity=call)
    _submit(withdrawn)
    withdraw_proposal(proposal=withdrawn, actor=withdrawn.principal_investigator)

    later = _submit(ready_proposal(opportunity=call))

    assert Proposal.objects.get(pk=withdrawn.pk).reference == "CE7-2027-0001"
    assert later.reference == "CE7-2027-0002"


@pytest.mark.django_db
def test_reference_number_is_given_back_when_the_submission_rolls_back(
    ready_proposal,
):
    call = _call()
    proposal = ready_proposal(opportunity=call)

    def submit_then_fail():
        with transaction.atomic():
            _submit(proposal)
            raise RuntimeError("a later step of the same transaction failed")

    with pytest.raises(RuntimeError):
        submit_then_fail()

    assert Proposal.objects.get(pk=proposal.pk).reference == ""
    assert _submit(proposal).reference == "CE7-2027-0001"


@pytest.mark.django_db(transaction=True)
def test_reference_numbers_distinct_under_concurrent_submissions(ready_proposal):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises every write and has no SELECT … FOR UPDATE; the "
            "race is only real on PostgreSQL (set DATABASE_URL)."
        )
    call = _call()
    proposals = [ready_proposal(opportunity=call) for _ in range(6)]
    barrier = threading.Barrier(len(proposals))
    references: dict[int, str] = {}
    errors: list[Exception] = []

    def submit(proposal):
        try:
            barrier.wait(timeout=10)
            references[proposal.pk] = _submit(proposal).reference
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(p,)) for p in proposals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(references.values()) == [f"CE7-2027-{n:04d}" for n in range(1, 7)]
    assert ReferenceCounter.objects.get().last_number == 6
