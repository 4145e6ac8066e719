import pytest

from reviews.conflicts import (
    conflict_reasons,
    conflicts_between,
    declared_conflicts,
    domains_match,
    institutional_domain,
    normalise_institution,
)
from reviews.models import ReviewerProfile
from tests.factories import (
    BidFactory,
    ProposalFactory,
    ReviewAssignmentFactory,
    ReviewerFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _proposal(**pi):
    pi = UserFactory(
        full_name="Dr Amina Haddad",
        email=pi.pop("email", "amina.haddad@narss.sci.eg"),
        institution=pi.pop("institution", "National Authority for Remote Sensing"),
        **pi,
    )
    return ProposalFactory(submitted=True, principal_investigator=pi)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("University of Bern", "university of bern"),
        ("Univ. of Bern", "univ of  bern"),
        ("  INAF – Osservatorio  ", "inaf osservatorio"),
        ("北京大学", "北京大学 "),
        ("ＥＳＡ ＥＳＴＥＣ", "esa estec"),  # full-width letters
    ],
)
def test_normalise_institution_matches_spelling_variants(first, second):
    assert normalise_institution(first) == normalise_institution(second)


def test_normalise_institution_keeps_different_names_apart():
    assert normalise_institution("University of Bern") != normalise_institution(
        "University of Geneva"
    )


@pytest.mark.parametrize(
    ("address", "domain"),
    [
        ("a@PKU.edu.cn", "pku.edu.cn"),
        ("a@gmail.com", ""),
        ("a@qq.com", ""),
        ("a@163.com", ""),
        ("a@outlook.com", ""),
        ("a@lab.example.org", ""),
        ("no-at-sign", ""),
    ],
)
def test_institutional_domain_ignores_public_mail(address, domain):
    assert institutional_domain(address) == domain


@pytest.mark.parametrize(
    ("first", "second", "match"),
    [
        ("unibe.ch", "unibe.ch", True),
        ("astro.unibe.ch", "unibe.ch", True),
        ("unibe.ch", "space.unibe.ch", True),
        ("unibe.ch", "unige.ch", False),
        ("myunibe.ch", "unibe.ch", False),
        ("", "unibe.ch", False),
    ],
)
def test_domains_match_same_or_subdomain(first, second, match):
    assert domains_match(first, second) is match


def test_no_conflict_for_an_unrelated_reviewer():
    proposal = _proposal()
    TeamMemberFactory(proposal=proposal)

    assert conflict_reasons(reviewer=ReviewerFactory(), proposal=proposal) == []


def test_conflict_when_the_reviewer_is_the_principal_investigator():
    reviewer = ReviewerFactory()
    proposal = ProposalFactory(submitted=True, principal_investigator=reviewer)

    assert conflict_reasons(reviewer=reviewer, proposal=proposal) == [
        "The reviewer is the principal investigator."
    ]


def test_conflict_when_the_reviewer_is_on_the_team_by_account():
    reviewer = ReviewerFactory()
    proposal = _proposal()
    TeamMemberFactory(
        proposal=proposal, user=reviewer, name="Prof. Luca Bianchi", email="x@y.it"
    )

    assert conflict_reasons(reviewer=reviewer, proposal=proposal) == [
        "The reviewer is on the proposal's team (Prof. Luca Bianchi)."
    ]


def test_conflict_when_the_reviewer_is_on_the_team_by_email():
    reviewer = ReviewerFactory(email="luca.bianchi@observatory.example.net")
    proposal = _proposal()
    TeamMemberFactory(
        proposal=proposal,
        name="Prof. Luca Bianchi",
        email="Luca.Bianchi@Observatory.example.net",
    )

    assert conflict_reasons(reviewer=reviewer, proposal=proposal) == [
        "The reviewer is on the proposal's team (Prof. Luca Bianchi)."
    ]


def test_conflict_when_the_reviewer_shares_the_pis_institution():
    reviewer = ReviewerFactory(institution="national authority for  remote sensing")
    proposal = _proposal()

    assert conflict_reasons(reviewer=reviewer, proposal=proposal) == [
        "The reviewer shares the institution “National Authority for Remote "
        "Sensing” with Dr Amina Haddad."
    ]


def test_conflict_when_the_reviewer_shares_a_team_members_institution():
    reviewer = ReviewerFactory(institution="Univ. of Bern")
    proposal = _proposal()
    TeamMemberFactory(
        proposal=proposal, name="Dr Nina Keller", institution="University of Bern"
    )
    TeamMemberFactory(proposal=proposal, name="Dr Jo Weber", institution="univ of bern")

    assert conflict_reasons(reviewer=reviewer, proposal=proposal) == [
        "The reviewer shares the institution “univ of bern” with Dr Jo Weber."
    ]


def test_conflict_when_a_further_affiliation_is_shared():
    reviewer = ReviewerFactory()
    ReviewerProfile.objects.create(
        user=reviewer,
        other_institutions="ESA ESTEC\nNational Authority for Remote Sensing",
    )
    proposal = _proposal()

    assert conflict_reasons(reviewer=reviewer, proposal=proposal) == [
        "The reviewer shares the institution “National Authority for Remote "
        "Sensing” with Dr Amina Haddad."
    ]


def test_conflict_when_the_reviewer_shares_an_email_domain():
    reviewer = ReviewerFactory(email="meier@space.unibe.ch")
    proposal = _proposal()
    TeamMemberFactory(proposal=proposal, name="Dr Nina Keller", email="keller@unibe.ch")

    assert conflict_reasons(reviewer=reviewer, proposal=proposal) == [
        "The reviewer's email domain space.unibe.ch is also that of Dr Nina Keller."
    ]


def test_no_conflict_for_a_shared_public_mail_domain():
    reviewer = ReviewerFactory(email="reviewer.one@gmail.com")
    proposal = _proposal(email="amina.haddad@gmail.com")
    TeamMemberFactory(proposal=proposal, email="member@qq.com")

    assert conflict_reasons(reviewer=reviewer, proposal=proposal) == []


def test_conflict_when_declared_before_with_the_same_investigator():
    reviewer = ReviewerFactory()
    proposal = _proposal()
    earlier = ProposalFactory(
        submitted=True, principal_investigator=proposal.principal_investigator
    )
    ReviewAssignmentFactory(
        version__proposal=earlier,
        reviewer=reviewer,
        status="conflict",
        conflict_reason="Former doctoral student.",
    )

    assert conflict_reasons(reviewer=reviewer, proposal=proposal) == [
        "The reviewer declared a conflict of interest with Dr Amina Haddad, the "
        "principal investigator, on an earlier assignment."
    ]


def test_no_conflict_from_a_declaration_about_another_investigator():
    reviewer = ReviewerFactory()
    ReviewAssignmentFactory(reviewer=reviewer, status="conflict", conflict_reason="x")

    assert conflict_reasons(reviewer=reviewer, proposal=_proposal()) == []


def test_conflict_when_declared_on_this_very_proposal():
    reviewer = ReviewerFactory()
    proposal = _proposal()
    ReviewAssignmentFactory(
        version__proposal=proposal,
        reviewer=reviewer,
        status="conflict",
        conflict_reason="My former student leads the team.",
    )

    assert conflict_reasons(reviewer=reviewer, proposal=proposal) == [
        "The reviewer declared a conflict of interest on this proposal."
    ]


def test_conflict_when_the_reviewer_bid_conflict():
    reviewer = ReviewerFactory()
    proposal = _proposal()
    BidFactory(proposal=proposal, reviewer=reviewer, preference="conflict")

    assert conflict_reasons(reviewer=reviewer, proposal=proposal) == [
        "The reviewer declared a conflict of interest with this proposal when bidding."
    ]


@pytest.mark.parametrize("preference", ["eager", "willing", "not_willing"])
def test_no_conflict_from_another_bid(preference):
    reviewer = ReviewerFactory()
    proposal = _proposal()
    BidFactory(proposal=proposal, reviewer=reviewer, preference=preference)

    assert conflict_reasons(reviewer=reviewer, proposal=proposal) == []


def test_no_conflict_from_a_conflict_bid_on_another_proposal_of_the_pi():
    reviewer = ReviewerFactory()
    proposal = _proposal()
    earlier = ProposalFactory(
        submitted=True, principal_investigator=proposal.principal_investigator
    )
    BidFactory(proposal=earlier, reviewer=reviewer, preference="conflict")

    assert conflict_reasons(reviewer=reviewer, proposal=proposal) == []


def test_declared_conflicts_groups_by_reviewer(django_assert_num_queries):
    first, second, third = ReviewerFactory.create_batch(3)
    declared = ReviewAssignmentFactory(
        reviewer=first, status="conflict", conflict_reason="x"
    )
    ReviewAssignmentFactory(reviewer=second, status="declined")
    bid = BidFactory(reviewer=second, preference="conflict")
    BidFactory(reviewer=third, preference="eager")

    with django_assert_num_queries(1):
        found = declared_conflicts([first.pk, second.pk, third.pk])

    pi = declared.proposal.principal_investigator_id
    assert found.assignments == {first.pk: {pi: frozenset({declared.proposal_id})}}
    assert found.bids == {second.pk: frozenset({bid.proposal_id})}
    assert found.by_bid(second.pk, bid.proposal_id) is True
    assert found.by_bid(first.pk, bid.proposal_id) is False


def test_conflicts_between_lists_each_conflicted_pair(django_assert_num_queries):
    proposal, other = _proposal(), _proposal(email="someone@elsewhere.example.org")
    colleague = ReviewerFactory(institution=proposal.principal_investigator.institution)
    bidder, free = ReviewerFactory(), ReviewerFactory()
    BidFactory(proposal=other, reviewer=bidder, preference="conflict")
    proposals = list(
        type(proposal)
        .objects.filter(pk__in=[proposal.pk, other.pk])
        .select_related("principal_investigator")
        .prefetch_related("team_members")
        .order_by("pk")
    )

    reviewers = (
        type(free)
        .objects.filter(pk__in=[colleague.pk, bidder.pk, free.pk])
        .select_related("reviewer_profile")
    )

    with django_assert_num_queries(2):  # the reviewers, their declarations
        found = conflicts_between(proposals=proposals, reviewers=reviewers)

    assert found == {
        (proposal.pk, colleague.pk): [
            "The reviewer shares the institution “National Authority for Remote "
            "Sensing” with Dr Amina Haddad."
        ],
        (other.pk, colleague.pk): [
            "The reviewer shares the institution “National Authority for Remote "
            "Sensing” with Dr Amina Haddad."
        ],
        (other.pk, bidder.pk): [
            "The reviewer declared a conflict of interest with this proposal when "
            "bidding."
        ],
    }


def test_every_reason_is_given_at_once():
    reviewer = ReviewerFactory(
        email="meier@unibe.ch", institution="National Authority for Remote Sensing"
    )
    proposal = _proposal(email="haddad@unibe.ch")

    assert conflict_reasons(reviewer=reviewer, proposal=proposal) == [
        "The reviewer shares the institution “National Authority for Remote "
        "Sensing” with Dr Amina Haddad.",
        "The reviewer's email domain unibe.ch is also that of Dr Amina Haddad.",
    ]
