"""Who sees what in review: the predicates, the reviewer-scoped selectors and
dual-anonymous review."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from reviews import permissions as p
from reviews.selectors import (
    anonymised_snapshot,
    assignment_for_reviewer,
    assignment_for_user,
    assignments_for_administrator,
    assignments_for_reviewer,
    declaration_view,
    document_for_reviewer,
    documents_for_reviewer,
    other_reviews_visible_to,
    reviewer_documents,
    reviewer_view,
    version_for_reviewer,
    versions_for_reviewer,
)
from tests.factories import (
    EvaluationCriterionFactory,
    OpportunityFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    ProposalVersionFactory,
    RequiredDocumentFactory,
    ReviewAssignmentFactory,
    ReviewerFactory,
    ReviewFactory,
    TeamMemberFactory,
    UserFactory,
    make_review_administrator,
)

pytestmark = pytest.mark.django_db

# What must never reach a reviewer of a dual-anonymous call.
IDENTITIES = [
    "Amina Haddad",
    "amina.haddad@narss.sci.eg",
    "National Authority for Remote Sensing",
    '"EG"',
    "Egypt",
    "Luca Bianchi",
    "luca.bianchi@inaf.it",
    "INAF Osservatorio di Roma",
    '"IT"',
    "Italy",
    "Fatima Al-Khalifa",
    "fatima@nssa.gov.bh",
    "Bahrain National Space Science Agency",
    '"BH"',
    "Bahrain",
    "Haddad-NARSS-proposal.pdf",
]


def _identified_version(*, dual_anonymous: bool):
    """A submitted proposal whose team, documents and funding name its people."""
    opportunity = OpportunityFactory(closed=True, dual_anonymous=dual_anonymous)
    EvaluationCriterionFactory(opportunity=opportunity, name_en="Scientific value")
    pi = UserFactory(
        full_name="Dr Amina Haddad",
        email="amina.haddad@narss.sci.eg",
        institution="National Authority for Remote Sensing",
        country="EG",
    )
    proposal = ProposalFactory(
        complete=True,
        submitted=True,
        opportunity=opportunity,
        principal_investigator=pi,
        funding_statement="Funded by the Bahrain National Space Science Agency.",
    )
    TeamMemberFactory(
        proposal=proposal,
        name="Prof. Luca Bianchi",
        email="luca.bianchi@inaf.it",
        institution="INAF Osservatorio di Roma",
        country="IT",
        confirmed=True,
    )
    TeamMemberFactory(
        proposal=proposal,
        name="Dr Fatima Al-Khalifa",
        email="fatima@nssa.gov.bh",
        institution="Bahrain National Space Science Agency",
        country="BH",
        confirmed=True,
    )
    ProposalDocumentFactory(
        proposal=proposal,
        required_document=RequiredDocumentFactory(
            opportunity=opportunity, name_en="Technical annex"
        ),
        original_name="Haddad-NARSS-proposal.pdf",
    )
    return ProposalVersionFactory(proposal=proposal)


# --- predicates -----------------------------------------------------------------


def test_superuser_and_administrators_group_manage_reviews(admin_user):
    grouped = make_review_administrator()

    assert p.is_review_administrator(admin_user)
    assert p.is_review_administrator(grouped)


@pytest.mark.parametrize(
    "make",
    [
        ReviewerFactory,
        lambda: UserFactory(staff=True),
        UserFactory,
        lambda: UserFactory(superuser=True, is_active=False),
        AnonymousUser,
    ],
    ids=["reviewer", "staff", "researcher", "inactive superuser", "anonymous"],
)
def test_others_do_not_manage_reviews(make):
    user = make()

    assert not p.is_review_administrator(user)
    assert not p.can_manage_reviews(user)
    assert not p.can_view_ranking(user)
    assert not p.can_decide(user)


def test_is_reviewer_needs_the_group_not_staff():
    assert p.is_reviewer(ReviewerFactory())
    assert ReviewerFactory().is_staff is False
    assert p.is_reviewer(ReviewerFactory(is_staff=True))
    assert not p.is_reviewer(ReviewerFactory(reviewers_group=False))
    assert not p.is_reviewer(ReviewerFactory(is_active=False))
    assert not p.is_reviewer(UserFactory(staff=True))


ROLES = ["own reviewer", "other reviewer", "administrator", "investigator", "staff"]


def _actor(role, assignment, admin_user):
    return {
        "own reviewer": lambda: assignment.reviewer,
        "other reviewer": ReviewerFactory,
        "administrator": lambda: admin_user,
        "investigator": lambda: assignment.proposal.principal_investigator,
        "staff": lambda: UserFactory(staff=True),
    }[role]()


# (predicate, assignment status, review status) → roles allowed
MATRIX = [
    (p.can_read_assignment, "invited", None, {"own reviewer", "administrator"}),
    (p.can_read_assignment, "declined", None, {"own reviewer", "administrator"}),
    (p.can_respond_to_assignment, "invited", None, {"own reviewer"}),
    (p.can_respond_to_assignment, "accepted", "draft", set()),
    (p.can_declare_conflict, "invited", None, {"own reviewer"}),
    (p.can_declare_conflict, "accepted", "submitted", {"own reviewer"}),
    (p.can_declare_conflict, "cancelled", None, set()),
    (p.can_read_proposal_as_reviewer, "invited", None, set()),
    (p.can_read_proposal_as_reviewer, "accepted", "draft", {"own reviewer"}),
    (p.can_read_proposal_as_reviewer, "conflict", None, set()),
    (p.can_score, "accepted", "draft", {"own reviewer"}),
    (p.can_score, "accepted", "reopened", {"own reviewer"}),
    (p.can_score, "accepted", "submitted", set()),
    (p.can_score, "cancelled", "draft", set()),
    (p.can_view_other_reviews, "accepted", "draft", {"administrator"}),
    (
        p.can_view_other_reviews,
        "accepted",
        "submitted",
        {"own reviewer", "administrator"},
    ),
]


@pytest.mark.parametrize("case", MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_assignment_predicates_matrix(admin_user, case, role):
    predicate, status, review_status, allowed = case
    assignment = ReviewAssignmentFactory(
        status=status, conflict_reason="x" if status == "conflict" else ""
    )
    if review_status:
        ReviewFactory(
            assignment=assignment,
            status=review_status,
            submitted=review_status == "submitted",
        )
    assignment = assignment_for_user(user=admin_user, pk=assignment.pk)

    assert predicate(_actor(role, assignment, admin_user), assignment) is (
        role in allowed
    )


def test_reopen_only_by_administrators_and_only_submitted(admin_user):
    submitted = ReviewFactory(submitted=True)
    draft = ReviewFactory()

    assert p.can_reopen_review(admin_user, submitted)
    assert not p.can_reopen_review(admin_user, draft)
    assert not p.can_reopen_review(submitted.assignment.reviewer, submitted)


def test_identities_visible_to_reviewers_only_without_dual_anonymity(admin_user):
    open_call = OpportunityFactory(dual_anonymous=False)
    anonymous_call = OpportunityFactory(dual_anonymous=True)
    reviewer = ReviewerFactory()

    assert p.can_see_identities(reviewer, open_call)
    assert not p.can_see_identities(reviewer, anonymous_call)
    assert p.can_see_identities(admin_user, anonymous_call)


@pytest.mark.parametrize(
    ("status", "mine", "allowed"),
    [
        ("accepted", True, True),
        ("invited", True, False),
        ("conflict", True, False),
        ("accepted", False, False),
    ],
)
def test_version_and_document_predicates(status, mine, allowed):
    version = _identified_version(dual_anonymous=False)
    assignment = ReviewAssignmentFactory(
        version=version, status=status, conflict_reason="x"
    )
    reader = assignment.reviewer if mine else ReviewerFactory()
    document = version.documents.get()

    assert p.can_view_version_as_reviewer(reader, version) is allowed
    assert p.can_view_document_as_reviewer(reader, document) is allowed


# --- selectors scoped to the reviewer -------------------------------------------


def test_reviewer_lists_only_their_own_assignments():
    mine = ReviewAssignmentFactory()
    ReviewAssignmentFactory(version=mine.version)  # another reviewer, same proposal
    ReviewAssignmentFactory()

    assert list(assignments_for_reviewer(reviewer=mine.reviewer)) == [mine]
    assert list(assignments_for_reviewer(reviewer=UserFactory())) == []
    assert list(assignments_for_reviewer(reviewer=AnonymousUser())) == []


def test_reviewer_lists_open_assignments_first_by_due_date():
    reviewer = ReviewerFactory()
    ended = ReviewAssignmentFactory(reviewer=reviewer, status="declined")
    later = ReviewAssignmentFactory(reviewer=reviewer, due_at=ended.due_at)
    sooner = ReviewAssignmentFactory(
        reviewer=reviewer, accepted=True, due_at=ended.due_at - timedelta(days=1)
    )

    assert list(assignments_for_reviewer(reviewer=reviewer)) == [sooner, later, ended]


def test_reviewer_gets_404_for_another_reviewers_assignment():
    mine, theirs = ReviewAssignmentFactory(), ReviewAssignmentFactory()

    assert assignment_for_reviewer(reviewer=mine.reviewer, pk=mine.pk) == mine
    with pytest.raises(Http404):
        assignment_for_reviewer(reviewer=mine.reviewer, pk=theirs.pk)
    with pytest.raises(Http404):
        assignment_for_reviewer(reviewer=mine.reviewer, pk="nope")


def test_assignment_for_user_is_404_for_the_investigator(admin_user):
    assignment = ReviewAssignmentFactory()

    assert assignment_for_user(user=admin_user, pk=assignment.pk) == assignment
    with pytest.raises(Http404):
        assignment_for_user(
            user=assignment.proposal.principal_investigator, pk=assignment.pk
        )


def test_administrators_list_every_assignment_others_none(admin_user):
    assignments = ReviewAssignmentFactory.create_batch(2)

    assert set(assignments_for_administrator(user=admin_user)) == set(assignments)
    assert list(assignments_for_administrator(user=assignments[0].reviewer)) == []


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_reviewer_assignment_list_query_count_is_constant(
    django_assert_num_queries, item_count
):
    reviewer = ReviewerFactory()
    for _ in range(item_count):
        ReviewFactory(assignment__reviewer=reviewer)

    with django_assert_num_queries(1):
        rows = [
            (a.proposal.reference, a.proposal.opportunity.title, a.review.status)
            for a in assignments_for_reviewer(reviewer=reviewer)
        ]

    assert len(rows) == item_count


def test_versions_open_to_the_reviewer_only_once_accepted():
    assignment = ReviewAssignmentFactory()
    reviewer = assignment.reviewer

    assert list(versions_for_reviewer(reviewer=reviewer)) == []

    assignment.status = "accepted"  # fixture set-up: the factory's state
    assignment.save()

    assert list(versions_for_reviewer(reviewer=reviewer)) == [assignment.version]
    assert list(versions_for_reviewer(reviewer=ReviewerFactory())) == []


def test_reviewer_never_reads_other_versions_of_the_proposal():
    assignment = ReviewAssignmentFactory(accepted=True)
    earlier = ProposalVersionFactory(proposal=assignment.proposal)

    with pytest.raises(Http404):
        version_for_reviewer(reviewer=assignment.reviewer, pk=earlier.pk)
    assert (
        version_for_reviewer(reviewer=assignment.reviewer, pk=assignment.version.pk)
        == assignment.version
    )


def test_documents_are_those_of_the_assigned_version_only():
    version = _identified_version(dual_anonymous=False)
    assignment = ReviewAssignmentFactory(version=version, accepted=True)
    [document] = version.documents.all()
    later = ProposalDocumentFactory(proposal=version.proposal)  # not in the version
    another = ProposalDocumentFactory(
        proposal=ProposalFactory(
            complete=True,
            submitted=True,
            opportunity=OpportunityFactory(closed=True),
        )
    )
    ReviewAssignmentFactory(
        version=ProposalVersionFactory(proposal=another.proposal), accepted=True
    )

    assert list(documents_for_reviewer(reviewer=assignment.reviewer)) == [document]
    for other in (later, another):
        with pytest.raises(Http404):
            document_for_reviewer(reviewer=assignment.reviewer, pk=other.pk)


def test_document_for_reviewer_names_it_by_the_call_not_the_file():
    version = _identified_version(dual_anonymous=False)
    assignment = ReviewAssignmentFactory(version=version, accepted=True)
    document = version.documents.get()

    shown = document_for_reviewer(reviewer=assignment.reviewer, pk=document.pk)

    assert shown.display_name == "Document 1 — Technical annex.pdf"
    assert shown.file.name == document.file.name
    assert "Haddad" not in shown.file.name


def test_reviewer_documents_refuse_before_acceptance():
    assignment = ReviewAssignmentFactory(
        version=_identified_version(dual_anonymous=False)
    )

    with pytest.raises(Http404):
        reviewer_documents(user=assignment.reviewer, assignment=assignment)


def test_reviewer_view_is_404_before_declaring_no_conflict():
    assignment = ReviewAssignmentFactory()

    with pytest.raises(Http404):
        reviewer_view(user=assignment.reviewer, assignment=assignment)
    with pytest.raises(Http404):
        reviewer_view(user=ReviewerFactory(), assignment=assignment)


def test_other_reviews_stay_hidden_until_own_is_submitted():
    mine = ReviewFactory()
    EvaluationCriterionFactory(opportunity=mine.assignment.proposal.opportunity)
    theirs = ReviewFactory(
        assignment__version=mine.assignment.version, submitted=True, scores=4
    )
    proposal = mine.assignment.proposal

    before = other_reviews_visible_to(
        reviewer=mine.assignment.reviewer, proposal=proposal
    )
    mine.status = "submitted"  # fixture set-up: the factory's state
    mine.submitted_at = theirs.submitted_at
    mine.save()
    after = other_reviews_visible_to(
        reviewer=mine.assignment.reviewer, proposal=proposal
    )

    assert before == []
    [other] = after
    assert other.label == "Reviewer 2"
    assert other.comments_for_proposer == theirs.comments_for_proposer
    assert other.scores == tuple(
        (criterion.name, 4) for criterion in proposal.opportunity.criteria.all()
    )
    assert theirs.assignment.reviewer.get_full_name() not in json.dumps(
        [vars(o) for o in after], default=str
    )


def test_other_reviews_are_hidden_from_a_reviewer_not_assigned():
    review = ReviewFactory(submitted=True)

    assert (
        other_reviews_visible_to(
            reviewer=ReviewerFactory(), proposal=review.assignment.proposal
        )
        == []
    )


# --- dual-anonymous review ------------------------------------------------------


def test_anonymised_snapshot_contains_no_identity():
    version = _identified_version(dual_anonymous=True)
    full = json.dumps(version.snapshot, ensure_ascii=False)

    cleaned = json.dumps(anonymised_snapshot(version.snapshot), ensure_ascii=False)

    assert [identity for identity in IDENTITIES if identity in full] == IDENTITIES
    assert [identity for identity in IDENTITIES if identity in cleaned] == []


def test_anonymised_snapshot_keeps_the_science_and_names_documents():
    version = _identified_version(dual_anonymous=True)

    cleaned = anonymised_snapshot(version.snapshot)

    assert cleaned["summary"] == version.snapshot["summary"]
    assert cleaned["resources"] == version.snapshot["resources"]
    assert cleaned["documents"] == [
        {
            "number": 1,
            "required_document": "Technical annex",
            "display_name": "Document 1 — Technical annex.pdf",
            "page_count": 2,
        }
    ]


def test_reviewer_view_of_a_dual_anonymous_call_shows_no_identity():
    version = _identified_version(dual_anonymous=True)
    assignment = ReviewAssignmentFactory(version=version, accepted=True)

    view = reviewer_view(user=assignment.reviewer, assignment=assignment)

    shown = json.dumps(
        {
            "snapshot": view.snapshot,
            "documents": [d.display_name for d in view.documents],
            "files": [d.file.name for d in view.documents],
        },
        ensure_ascii=False,
    )
    assert view.anonymous is True
    assert [identity for identity in IDENTITIES if identity in shown] == []
    assert [c.name for c in view.criteria] == ["Scientific value"]


def test_reviewer_view_of_an_open_call_shows_the_team():
    version = _identified_version(dual_anonymous=False)
    assignment = ReviewAssignmentFactory(version=version, accepted=True)

    view = reviewer_view(user=assignment.reviewer, assignment=assignment)

    assert view.anonymous is False
    assert view.snapshot["principal_investigator"]["name"] == "Dr Amina Haddad"


def test_administrators_see_identities_in_a_dual_anonymous_call(admin_user):
    version = _identified_version(dual_anonymous=True)
    assignment = ReviewAssignmentFactory(version=version)

    view = reviewer_view(user=admin_user, assignment=assignment)

    assert view.anonymous is False
    assert view.snapshot["team"][0]["name"] == "Prof. Luca Bianchi"


def test_declaration_view_hides_the_team_in_a_dual_anonymous_call():
    version = _identified_version(dual_anonymous=True)
    assignment = ReviewAssignmentFactory(version=version)

    view = declaration_view(user=assignment.reviewer, assignment=assignment)

    assert view.anonymous is True
    assert view.team == ()
    assert view.title == version.proposal.title
    assert [i for i in IDENTITIES if i in json.dumps(vars(view))] == []


def test_declaration_view_lists_the_team_otherwise():
    version = _identified_version(dual_anonymous=False)
    assignment = ReviewAssignmentFactory(version=version)

    view = declaration_view(user=assignment.reviewer, assignment=assignment)

    assert view.team == (
        ("Dr Amina Haddad", "National Authority for Remote Sensing", "Egypt"),
        ("Prof. Luca Bianchi", "INAF Osservatorio di Roma", "Italy"),
        ("Dr Fatima Al-Khalifa", "Bahrain National Space Science Agency", "Bahrain"),
    )


def test_declaration_view_is_404_for_another_reviewer():
    assignment = ReviewAssignmentFactory()

    with pytest.raises(Http404):
        declaration_view(user=ReviewerFactory(), assignment=assignment)
