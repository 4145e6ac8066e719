from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposalStage(models.TextChoices):
    """Which document the proposal is at. The values match RequiredDocument.stage."""

    LETTER_OF_INTENT = "loi", _("Letter of intent")
    FULL = "full", _("Full proposal")


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    SELECTED = "selected", _("Selected")
    CONDITIONALLY_SELECTED = "conditionally_selected", _("Conditionally selected")
    NOT_SELECTED = "not_selected", _("Not selected")
    DECLINED = "declined", _("Letter declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")

    @classmethod
    def in_review(cls) -> frozenset["ProposalStatus"]:
        """Submitted or under review: what the review panel works on."""
        return frozenset({cls.SUBMITTED, cls.UNDER_REVIEW})


class TeamRole(models.TextChoices):
    CO_INVESTIGATOR = "co_investigator", _("Co-investigator")
    COLLABORATOR = "collaborator", _("Collaborator")


class Section(models.TextChoices):
    """The parts of a proposal, each saved on its own."""

    SUMMARY = "summary", _("Summary")
    OBJECTIVES = "objectives", _("Science and technology objectives")
    PAYLOAD = "payload", _("Payload description and maturity")
    RESOURCES = "resources", _("Resources requested")
    TEAM = "team", _("Team")
    FUNDING = "funding", _("Funding")
    DOCUMENTS = "documents", _("Documents")
    STATEMENTS = "statements", _("Statements")


class Severity(models.TextChoices):
    ERROR = "error", _("Exceeds the envelope")
    WARNING = "warning", _("Warning")
