"""The vocabulary of a selected payload: its status, its conditions,
agreements, milestones, deliveries, and who is responsible for what."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PayloadStatus(models.TextChoices):
    """conditional → selected or deselected; selected → deselected.
    See payloads.workflow.PAYLOAD_TRANSITIONS."""

    CONDITIONAL = "conditional", _("Conditionally selected")
    SELECTED = "selected", _("Selected")
    DESELECTED = "deselected", _("De-selected")

    @classmethod
    def active(cls) -> frozenset["PayloadStatus"]:
        """Still on board: what counts against a carrier's envelope."""
        return frozenset({cls.CONDITIONAL, cls.SELECTED})


class ConditionStatus(models.TextChoices):
    """open → answered → accepted, or returned → answered again."""

    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")

    @classmethod
    def awaiting_team(cls) -> frozenset["ConditionStatus"]:
        """The team has to answer it (again)."""
        return frozenset({cls.OPEN, cls.RETURNED})


class AgreementStatus(models.TextChoices):
    """draft ⇄ under negotiation → signed."""

    DRAFT = "draft", _("Draft")
    NEGOTIATION = "negotiation", _("Under negotiation")
    SIGNED = "signed", _("Signed")


class MilestoneKind(models.TextChoices):
    PDR = "pdr", _("Preliminary design review")
    CDR = "cdr", _("Critical design review")
    QM_DELIVERY = "qm_delivery", _("Qualification model delivery")
    FM_DELIVERY = "fm_delivery", _("Flight model delivery")
    INTEGRATION = "integration", _("Integration")
    LAUNCH = "launch", _("Launch")
    LANDING = "landing", _("Landing or separation")
    DATA_HANDOVER = "data_handover", _("Data handover")
    OTHER = "other", _("Other")


class Side(models.TextChoices):
    """Who is responsible for a milestone."""

    CNSA = "cnsa", _("CNSA")
    TEAM = "team", _("Payload team")
    JOINT = "joint", _("Joint")


class DeliveryUnit(models.TextChoices):
    QM = "qualification_model", _("Qualification model")
    FM = "flight_model", _("Flight model")
    OTHER = "other", _("Other")


class DeliveryStatus(models.TextChoices):
    """recorded → accepted or rejected."""

    RECORDED = "recorded", _("Awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class EventKind(models.TextChoices):
    """One line of a payload's history (PayloadEvent.kind)."""

    CREATED = "created", _("Created")
    ALLOCATION_CHANGED = "allocation_changed", _("Allocation changed")
    CONDITION_ANSWERED = "condition_answered", _("Condition answered")
    CONDITION_ACCEPTED = "condition_accepted", _("Condition accepted")
    CONDITION_RETURNED = "condition_returned", _("Condition returned")
    FULLY_SELECTED = "fully_selected", _("Fully selected")
    DESELECTED = "deselected", _("De-selected")
    AGREEMENT_MOVED = "agreement_moved", _("Agreement moved")
    AGREEMENT_SIGNED = "agreement_signed", _("Agreement signed")
    MILESTONE_SLIPPED = "milestone_slipped", _("Milestone slipped")
    MILESTONE_DONE = "milestone_done", _("Milestone done")
    DELIVERY_RECORDED = "delivery_recorded", _("Delivery recorded")
    DELIVERY_ACCEPTED = "delivery_accepted", _("Delivery accepted")
    DELIVERY_REJECTED = "delivery_rejected", _("Delivery rejected")
    DATA_HANDED_OVER = "data_handed_over", _("Data handed over")
