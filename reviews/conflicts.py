"""Conflicts of interest the portal finds by itself, before anyone is assigned.

A reviewer may not review a proposal when they:

1. are its principal investigator or on its team (by account or by email);
2. share an institution with the principal investigator or a team member — the
   reviewer's institution on their account or one of the further affiliations
   of their ReviewerProfile, compared after normalisation (Unicode NFKC, case
   folded, punctuation and runs of spaces made one space), so "Univ. of Bern"
   and "univ of  bern" match, while different names of one institution do not;
3. share an email domain with the principal investigator or a team member — the
   same domain, or one a subdomain of the other (astro.unibe.ch and unibe.ch);
   the public mail services in PUBLIC_MAIL_DOMAINS, and their subdomains, say
   nothing about an institution and never match;
4. declared a conflict of interest: on an assignment of this proposal, or of
   another proposal of the same principal investigator (an assignment ended as
   a conflict), or by bidding "conflict" on this proposal (reviews.models.Bid).

The reviewer's own declarations cover what the portal cannot know.
`conflict_reasons` is the one function that says why a reviewer may not review
a proposal: the automatic plan (reviews.assignment.plan_assignments), the hand
assignment (reviews.services.assignment_problems) and any page listing
conflicts (`conflicts_between`) all call it. It returns one translated sentence
per finding, naming the person concerned: it is for the administrators, never
shown to a reviewer.
"""

import contextlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import CharField, Value
from django.utils.translation import gettext as _

from reviews.enums import AssignmentStatus, BidPreference
from reviews.models import Bid, ReviewAssignment

# Free mail services used by people of every institution, so a shared domain
# there means nothing. Kept short on purpose: the largest services worldwide
# and in China, and the domains reserved for examples (RFC 2606), which the
# demonstration accounts use.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        # worldwide
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.ru",
        "yandex.ru",
        "naver.com",
        # China
        "qq.com",
        "foxmail.com",
        "163.com",
        "126.com",
        "yeah.net",
        "sina.com",
        "sohu.com",
        "aliyun.com",
        "139.com",
        # reserved for examples (RFC 2606)
        "example.com",
        "example.org",
        "example.net",
    }
)

_NOT_WORD = re.compile(r"[\W_]+")

# Where a declared conflict was read from (declared_conflicts).
_ASSIGNMENT, _BID = "assignment", "bid"


# The automatic plan checks every pair of a call (2,000 proposals × 150
# reviewers): the same few thousand names and addresses, normalised once each.
@lru_cache(maxsize=65536)
def normalise_institution(name: str) -> str:
    """Case, accents of width, punctuation and spacing set aside for comparison."""
    folded = unicodedata.normalize("NFKC", name or "").casefold()
    return " ".join(_NOT_WORD.sub(" ", folded).split())


def email_domain(address: str) -> str:
    return (address or "").rpartition("@")[2].strip().strip(".").lower()


def is_public_domain(domain: str) -> bool:
    return any(
        domain == public or domain.endswith(f".{public}")
        for public in PUBLIC_MAIL_DOMAINS
    )


@lru_cache(maxsize=65536)
def institutional_domain(address: str) -> str:
    """The address's domain when it can say something of an institution, else ""."""
    domain = email_domain(address)
    if not domain or "." not in domain or is_public_domain(domain):
        return ""
    return domain


def domains_match(first: str, second: str) -> bool:
    if not first or not second:
        return False
    return (
        first == second or first.endswith(f".{second}") or second.endswith(f".{first}")
    )


@dataclass(frozen=True)
class Party:
    """The principal investigator or a team member, as the checks need them."""

    name: str
    email: str
    institution: str
    user_id: int | None
    is_principal_investigator: bool


def parties(proposal) -> list[Party]:
    """The PI, then the team (reads `team_members.all()`: prefetch it)."""
    pi = proposal.principal_investigator
    found = [
        Party(
            name=pi.get_full_name(),
            email=pi.email,
            institution=pi.institution,
            user_id=pi.pk,
            is_principal_investigator=True,
        )
    ]
    found += [
        Party(
            name=member.name,
            email=member.email,
            institution=member.institution,
            user_id=member.user_id,
            is_principal_investigator=False,
        )
        for member in proposal.team_members.all()
    ]
    return found


def reviewer_institutions(reviewer) -> list[str]:
    """The account's institution and the profile's further affiliations."""
    names = [reviewer.institution]
    with contextlib.suppress(ObjectDoesNotExist):
        names += reviewer.reviewer_profile.other_institution_names
    return [name for name in names if normalise_institution(name)]


@dataclass(frozen=True)
class DeclaredConflicts:
    """The conflicts reviewers declared themselves, read in bulk.

    `assignments[reviewer][pi]`: the proposals of that principal investigator
    on which the reviewer ended an assignment as a conflict; `bids[reviewer]`:
    the proposals the reviewer bid "conflict" on.
    """

    assignments: Mapping[int, Mapping[int, frozenset[int]]]
    bids: Mapping[int, frozenset[int]]

    def on_assignments(self, reviewer_id: int, pi_id: int) -> frozenset[int]:
        return self.assignments.get(reviewer_id, {}).get(pi_id, frozenset())

    def by_bid(self, reviewer_id: int, proposal_id: int) -> bool:
        return proposal_id in self.bids.get(reviewer_id, frozenset())


def declared_conflicts(reviewer_ids: Iterable[int]) -> DeclaredConflicts:
    """What the given reviewers declared: assignments ended as a conflict (any
    call) and conflict bids (one query)."""
    reviewer_ids = list(reviewer_ids)
    kind = CharField()
    ended = (
        ReviewAssignment.objects.filter(
            reviewer_id__in=reviewer_ids, status=AssignmentStatus.CONFLICT
        )
        .order_by()
        .values_list(
            "reviewer_id",
            "proposal_id",
            "proposal__principal_investigator_id",
            Value(_ASSIGNMENT, output_field=kind),
        )
    )
    bid = (
        Bid.objects.filter(
            reviewer_id__in=reviewer_ids, preference=BidPreference.CONFLICT
        )
        .order_by()
        .values_list(
            "reviewer_id",
            "proposal_id",
            "proposal__principal_investigator_id",
            Value(_BID, output_field=kind),
        )
    )
    assignments: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    bids: dict[int, set[int]] = defaultdict(set)
    for reviewer_id, proposal_id, pi_id, source in ended.union(bid, all=True):
        if source == _BID:
            bids[reviewer_id].add(proposal_id)
        else:
            assignments[reviewer_id][pi_id].add(proposal_id)
    return DeclaredConflicts(
        assignments={
            reviewer: {pi: frozenset(found) for pi, found in by_pi.items()}
            for reviewer, by_pi in assignments.items()
        },
        bids={reviewer: frozenset(found) for reviewer, found in bids.items()},
    )


def institutions_of(reviewer) -> dict[str, str]:
    """The reviewer's institutions, normalised → as written."""
    return {
        normalise_institution(name): name for name in reviewer_institutions(reviewer)
    }


def conflict_reasons(
    *,
    reviewer,
    proposal,
    declared: DeclaredConflicts | None = None,
    team: list[Party] | None = None,
    institutions: Mapping[str, str] | None = None,
) -> list[str]:
    """Every reason `reviewer` may not review `proposal`; empty when none.

    Reads the proposal's investigator and `team_members.all()` (prefetch them)
    and the reviewer's profile. When checking many pairs, pass what does not
    change from pair to pair: `declared` (from `declared_conflicts`, else one
    query), the proposal's `team` (`parties`) and the reviewer's `institutions`
    (`institutions_of`).
    """
    if declared is None:
        declared = declared_conflicts([reviewer.pk])
    reasons = []
    team = parties(proposal) if team is None else team
    own_email = reviewer.email.lower()
    if institutions is None:
        institutions = institutions_of(reviewer)
    own_domain = institutional_domain(reviewer.email)
    for party in team:
        if party.user_id == reviewer.pk or party.email.lower() == own_email:
            reasons.append(
                _("The reviewer is the principal investigator.")
                if party.is_principal_investigator
                else _("The reviewer is on the proposal's team (%(name)s).")
                % {"name": party.name}
            )
            continue
        shared = institutions.get(normalise_institution(party.institution))
        if shared:
            reasons.append(
                _(
                    "The reviewer shares the institution “%(institution)s” with "
                    "%(name)s."
                )
                % {"institution": party.institution, "name": party.name}
            )
        party_domain = institutional_domain(party.email)
        if domains_match(own_domain, party_domain):
            reasons.append(
                _("The reviewer's email domain %(domain)s is also that of %(name)s.")
                % {"domain": own_domain, "name": party.name}
            )
    ended = declared.on_assignments(reviewer.pk, proposal.principal_investigator_id)
    if proposal.pk in ended:
        reasons.append(
            _("The reviewer declared a conflict of interest on this proposal.")
        )
    elif ended:
        reasons.append(
            _(
                "The reviewer declared a conflict of interest with %(name)s, the "
                "principal investigator, on an earlier assignment."
            )
            % {"name": team[0].name}
        )
    if declared.by_bid(reviewer.pk, proposal.pk):
        reasons.append(
            _(
                "The reviewer declared a conflict of interest with this proposal "
                "when bidding."
            )
        )
    return reasons


def conflicts_between(*, proposals, reviewers) -> dict[tuple[int, int], list[str]]:
    """Every conflicted (proposal id, reviewer id) pair with its reasons, for a
    page listing conflicts: `conflict_reasons` on each pair, with the
    declarations read once (one query). Read the proposals with their
    investigator and team, the reviewers with `reviewer_profile`."""
    reviewers = list(reviewers)
    declared = declared_conflicts(reviewer.pk for reviewer in reviewers)
    institutions = {reviewer.pk: institutions_of(reviewer) for reviewer in reviewers}
    found = {}
    for proposal in proposals:
        team = parties(proposal)
        for reviewer in reviewers:
            reasons = conflict_reasons(
                reviewer=reviewer,
                proposal=proposal,
                declared=declared,
                team=team,
                institutions=institutions[reviewer.pk],
            )
            if reasons:
                found[proposal.pk, reviewer.pk] = reasons
    return found
