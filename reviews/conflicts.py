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
4. declared a conflict of interest with the same principal investigator on any
   earlier assignment.

The reviewer's own declaration, per assignment, covers what the portal cannot
know. `conflict_reasons` returns one translated sentence per finding, naming the
person concerned: it is for the administrators, never shown to a reviewer.
"""

import contextlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from reviews.enums import AssignmentStatus
from reviews.models import ReviewAssignment

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


def declared_conflict_pis(reviewer_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each reviewer, the principal investigators they declared a conflict
    with on any assignment (one query)."""
    found: dict[int, set[int]] = defaultdict(set)
    rows = ReviewAssignment.objects.filter(
        reviewer_id__in=list(reviewer_ids), status=AssignmentStatus.CONFLICT
    ).values_list("reviewer_id", "proposal__principal_investigator_id")
    for reviewer_id, pi_id in rows:
        found[reviewer_id].add(pi_id)
    return found


def conflict_reasons(
    *, reviewer, proposal, declared_pis: set[int] | None = None
) -> list[str]:
    """Every reason `reviewer` may not review `proposal`; empty when none.

    `declared_pis` — the PIs the reviewer declared conflicts with — is looked up
    when not given (one query); pass it from `declared_conflict_pis` in bulk.
    """
    if declared_pis is None:
        declared_pis = declared_conflict_pis([reviewer.pk])[reviewer.pk]
    reasons = []
    team = parties(proposal)
    own_email = reviewer.email.lower()
    institutions = {
        normalise_institution(name): name for name in reviewer_institutions(reviewer)
    }
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
    if proposal.principal_investigator_id in declared_pis:
        reasons.append(
            _(
                "The reviewer declared a conflict of interest with %(name)s, the "
                "principal investigator, on an earlier assignment."
            )
            % {"name": team[0].name}
        )
    return reasons
