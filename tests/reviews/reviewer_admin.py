"""Builders shared by the tests of both admin sites: a submitted proposal with a
distinctive team, frozen and assigned to a reviewer, and the people who open
them (reviewers on /review/, administrators on /admin/, a researcher), each
reviewer and administrator with an authenticator."""

import io
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.utils import timezone
from pypdf import PdfWriter

from proposals.enums import ProposalStatus
from tests.factories import (
    EvaluationCriterionFactory,
    OpportunityFactory,
    ProposalDocumentFactory,
    ProposalFactory,
    ProposalVersionFactory,
    ReviewAssignmentFactory,
    ReviewerFactory,
    TeamMemberFactory,
    UserFactory,
    make_review_administrator,
)
from tests.mfa import enable_totp

CRITERIA = ("Scientific value", "Technical feasibility", "International collaboration")


def reviewer(**kwargs):
    """In the Reviewers group, not staff, with an authenticator app."""
    user = ReviewerFactory(**kwargs)
    enable_totp(user)
    return user


def administrator(**kwargs):
    """In the Administrators group (reviews.manage_reviews, migration 0002), who
    also reads proposals in the admin."""
    user = make_review_administrator(**kwargs)
    group = Group.objects.get(name="Administrators")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="proposals",
            codename__in=["view_proposal", "change_proposal", "view_proposalversion"],
        )
    )
    enable_totp(user)
    return user


def researcher():
    return UserFactory()


@dataclass(frozen=True)
class Identity:
    """Who proposed: what a reviewer of a dual-anonymous call must never read."""

    pi_name: str = "Ottoline Quarrington-Vasz"
    pi_email: str = "ottoline.quarrington@zephyrine-institute.example.edu"
    pi_institution: str = "Zephyrine Institute of Selenology"
    pi_country: str = "NZ"
    pi_country_name: str = "New Zealand"
    member_name: str = "Bartholomew Xylander-Okonkwo"
    member_email: str = "b.xylander@marrowind-lab.example.edu"
    member_institution: str = "Marrowind Regolith Laboratory"
    member_country: str = "IS"
    member_country_name: str = "Iceland"
    document_name: str = "Quarrington-Xylander-team-proposal.pdf"
    funding: str = "Funded by the Quarrington Family Trust."

    def strings(self) -> dict[str, str]:
        return {
            "PI name": self.pi_name,
            "PI surname": self.pi_name.split()[-1],
            "PI email": self.pi_email,
            "PI email domain": self.pi_email.split("@")[1],
            "PI institution": self.pi_institution,
            "PI country": self.pi_country_name,
            "member name": self.member_name,
            "member surname": self.member_name.split()[-1],
            "member email": self.member_email,
            "member institution": self.member_institution,
            "member country": self.member_country_name,
            "document file name": self.document_name,
            "document file stem": self.document_name.removesuffix(".pdf"),
            "funding statement": self.funding,
        }


def pdf_naming(identity: Identity) -> bytes:
    """A PDF whose metadata names the investigator, as word processors do."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata(
        {"/Author": identity.pi_name, "/Creator": identity.pi_institution}
    )
    writer.xmp_metadata = (
        f"<x:xmpmeta><dc:creator>{identity.member_name}</dc:creator></x:xmpmeta>"
    ).encode()
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def call(*, dual_anonymous: bool = False, criteria: int = 3):
    """A call whose deadline has passed, with its evaluation criteria."""
    opportunity = OpportunityFactory(closed=True, dual_anonymous=dual_anonymous)
    for name in CRITERIA[:criteria]:
        EvaluationCriterionFactory(opportunity=opportunity, name_en=name)
    return opportunity


def frozen_proposal(*, opportunity, identity: Identity | None = None):
    """A complete proposal under review, a team member, one document and its
    frozen version; the people are `identity`'s when given."""
    people = {}
    if identity is not None:
        people = {
            "pi": {
                "full_name": identity.pi_name,
                "email": identity.pi_email,
                "institution": identity.pi_institution,
                "country": identity.pi_country,
            },
            "member": {
                "name": identity.member_name,
                "email": identity.member_email,
                "institution": identity.member_institution,
                "country": identity.member_country,
            },
            "proposal": {"funding_statement": identity.funding},
            "document": {
                "original_name": identity.document_name,
                "file": ContentFile(pdf_naming(identity), name="upload.pdf"),
            },
        }
    proposal = ProposalFactory(
        opportunity=opportunity,
        principal_investigator=UserFactory(**people.get("pi", {})),
        complete=True,
        submitted=True,
        status=ProposalStatus.UNDER_REVIEW,
        title="Radon exhalation at the lunar south pole",
        **people.get("proposal", {}),
    )
    TeamMemberFactory(proposal=proposal, confirmed=True, **people.get("member", {}))
    ProposalDocumentFactory(proposal=proposal, **people.get("document", {}))
    return ProposalVersionFactory(proposal=proposal)


def assignment_for(reviewer_user, *, version, accepted: bool = False, **kwargs):
    return ReviewAssignmentFactory(
        reviewer=reviewer_user,
        version=version,
        due_at=timezone.now() + timedelta(days=14),
        accepted=accepted,
        **kwargs,
    )
