"""The opportunity's state machine: every move, its side effects, and its monopoly."""

import ast
import itertools
from decimal import Decimal
from pathlib import Path

import pytest

from catalogue.enums import OpportunityStatus as S
from catalogue.models import Opportunity
from catalogue.workflow import (
    TRANSITIONS,
    CriteriaWeightsRefused,
    TransitionNotAllowed,
    transition,
)
from notifications.models import OutboundEmail
from tests.catalogue.calls import publishable_call
from tests.factories import (
    ContactFactory,
    EvaluationCriterionFactory,
    MissionSubscriptionFactory,
    OpportunityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ALLOWED = {
    (S.DRAFT, S.PUBLISHED),
    (S.DRAFT, S.CANCELLED),
    (S.PUBLISHED, S.CLOSED),
    (S.PUBLISHED, S.CANCELLED),
    (S.CLOSED, S.PUBLISHED),
    (S.CLOSED, S.DECIDED),
    (S.CLOSED, S.CANCELLED),
}
EVERY_PAIR = list(itertools.product(S.values, repeat=2))
TRAIT = {
    S.DRAFT: {"draft": True},
    S.PUBLISHED: {},
    S.CLOSED: {"closed": True},
    S.DECIDED: {"decided": True},
    S.CANCELLED: {"cancelled": True},
}
REPO = Path(__file__).resolve().parents[2]


def test_transition_table_is_the_documented_one():
    table = {(src, dst) for src, targets in TRANSITIONS.items() for dst in targets}

    assert table == ALLOWED
    assert set(TRANSITIONS) == set(S.values)


@pytest.mark.parametrize(
    ("current", "to"), sorted(ALLOWED), ids=lambda s: str(s).split(".")[-1]
)
def test_transition_allowed_moves_and_records_who(current, to, admin_user):
    opportunity = publishable_call(**TRAIT[current])

    result = transition(opportunity, to=to, actor=admin_user, note="Board decision")

    stored = Opportunity.objects.get(pk=opportunity.pk)
    latest = stored.history.first()
    assert stored.status == to
    assert result.status == to
    assert opportunity.status == to
    assert latest.status == to
    assert latest.history_user == admin_user
    assert latest.history_change_reason == "Board decision"


@pytest.mark.parametrize(
    ("current", "to"),
    sorted(set(EVERY_PAIR) - ALLOWED),
    ids=lambda s: str(s).split(".")[-1],
)
def test_transition_forbidden_moves_are_refused(current, to, admin_user):
    opportunity = OpportunityFactory(**TRAIT[current])
    history_before = opportunity.history.count()

    with pytest.raises(TransitionNotAllowed) as refusal:
        transition(opportunity, to=to, actor=admin_user)

    stored = Opportunity.objects.get(pk=opportunity.pk)
    assert stored.status == current
    assert opportunity.status == current
    assert stored.history.count() == history_before
    assert str(refusal.value) == (
        f"An opportunity cannot move from {S(current).label} to {S(to).label}."
    )


def test_transition_judges_the_stored_status_not_a_stale_copy(admin_user):
    opportunity = OpportunityFactory(draft=True)
    stale = Opportunity.objects.get(pk=opportunity.pk)
    transition(opportunity, to=S.CANCELLED, actor=admin_user)

    with pytest.raises(TransitionNotAllowed):
        transition(stale, to=S.PUBLISHED, actor=admin_user)

    assert Opportunity.objects.get(pk=opportunity.pk).status == S.CANCELLED


def test_transition_default_note_names_the_new_status(admin_user):
    opportunity = publishable_call(draft=True)

    transition(opportunity, to=S.PUBLISHED, actor=admin_user)

    assert opportunity.history.first().history_change_reason == (
        "Status changed to Published"
    )


def test_transition_keeps_a_long_note_to_the_history_column(admin_user):
    opportunity = OpportunityFactory(draft=True)

    transition(opportunity, to=S.CANCELLED, actor=admin_user, note="x" * 300)

    assert opportunity.history.first().history_change_reason == "x" * 100


def test_publish_sets_published_at_once(admin_user):
    opportunity = publishable_call(draft=True)

    transition(opportunity, to=S.PUBLISHED, actor=admin_user)
    first_published_at = Opportunity.objects.get(pk=opportunity.pk).published_at
    transition(opportunity, to=S.CLOSED, actor=admin_user)
    transition(opportunity, to=S.PUBLISHED, actor=admin_user)

    assert first_published_at is not None
    assert Opportunity.objects.get(pk=opportunity.pk).published_at == (
        first_published_at
    )


def test_publish_emails_contacts_and_subscribers_once_each(
    admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    opportunity = publishable_call(draft=True, title_en="Chang'E-7 payloads")
    opportunity.contacts.add(
        ContactFactory(email="gany@cnsa.example.org"),
        ContactFactory(email="dongsh@cnsa.example.org"),
    )
    MissionSubscriptionFactory(
        mission=opportunity.mission, user=UserFactory(email="pi@uni.example.org")
    )
    # A contact who also follows the mission hears once.
    MissionSubscriptionFactory(
        mission=opportunity.mission, user=UserFactory(email="GanY@cnsa.example.org")
    )
    MissionSubscriptionFactory(user=UserFactory(email="other@uni.example.org"))

    with django_capture_on_commit_callbacks(execute=True):
        transition(opportunity, to=S.PUBLISHED, actor=admin_user)

    assert sorted(address for m in mailoutbox for address in m.to) == [
        "dongsh@cnsa.example.org",
        "gany@cnsa.example.org",
        "pi@uni.example.org",
    ]
    assert {m.subject for m in mailoutbox} == {
        "New Announcement of Opportunity: Chang'E-7 payloads"
    }


def test_reopening_a_closed_call_sends_no_second_announcement(
    admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    opportunity = publishable_call(closed=True)
    opportunity.contacts.add(ContactFactory())

    with django_capture_on_commit_callbacks(execute=True):
        transition(opportunity, to=S.PUBLISHED, actor=admin_user)

    assert mailoutbox == []
    assert OutboundEmail.objects.count() == 0


def test_refused_move_queues_no_email(
    admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    opportunity = OpportunityFactory(decided=True)
    opportunity.contacts.add(ContactFactory())

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(TransitionNotAllowed),
    ):
        transition(opportunity, to=S.PUBLISHED, actor=admin_user)

    assert mailoutbox == []


# Publishing asks for evaluation criteria whose weights add up to 100 %.


@pytest.mark.parametrize(
    ("weights", "total"),
    [([], "0"), (["50", "40"], "90"), (["60", "40", "10"], "110")],
    ids=["none", "90", "110"],
)
@pytest.mark.parametrize("trait", [{"draft": True}, {"closed": True}])
def test_publish_refused_unless_criteria_weights_add_up_to_100(
    weights, total, trait, admin_user
):
    opportunity = OpportunityFactory(**trait)
    for weight in weights:
        EvaluationCriterionFactory(opportunity=opportunity, weight=Decimal(weight))
    before = opportunity.status
    history_before = opportunity.history.count()

    with pytest.raises(CriteriaWeightsRefused) as refusal:
        transition(opportunity, to=S.PUBLISHED, actor=admin_user)

    stored = Opportunity.objects.get(pk=opportunity.pk)
    assert (stored.status, opportunity.status) == (before, before)
    assert stored.history.count() == history_before
    assert isinstance(refusal.value, TransitionNotAllowed)
    assert refusal.value.messages == [
        f"The weights of this call's evaluation criteria add up to {total} %; they "
        "must add up to exactly 100 % before the call is published. Add or correct "
        "its evaluation criteria on the call's page, save, then publish it."
    ]


def test_publish_allowed_when_criteria_weights_add_up_to_exactly_100(admin_user):
    opportunity = OpportunityFactory(draft=True)
    for weight in ("33.33", "33.33", "33.34"):
        EvaluationCriterionFactory(opportunity=opportunity, weight=Decimal(weight))

    transition(opportunity, to=S.PUBLISHED, actor=admin_user)

    assert Opportunity.objects.get(pk=opportunity.pk).status == S.PUBLISHED


@pytest.mark.parametrize("to", [S.CLOSED, S.CANCELLED])
def test_moves_other_than_publishing_ignore_the_criteria(to, admin_user):
    opportunity = OpportunityFactory()

    transition(opportunity, to=to, actor=admin_user)

    assert Opportunity.objects.get(pk=opportunity.pk).status == to


# The monopoly of the workflow: no other code assigns a status.


def _python_sources() -> list[Path]:
    # bench/ builds data at scale, as tests/factories.py does: not a workflow.
    skipped = {".venv", "node_modules", "migrations", "tests", "bench", ".git"}
    return [
        path
        for path in REPO.rglob("*.py")
        if not skipped.intersection(path.relative_to(REPO).parts)
    ]


def _mentions_opportunity(node: ast.AST) -> bool:
    return "opportunit" in ast.unparse(node).lower()


def _status_writes(tree: ast.AST) -> list[int]:
    """Lines that assign `<x>.status`, or write an opportunity's status through
    the ORM (`update(status=…)`, `create(status=…)`, `Opportunity(status=…)`)."""
    lines = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            lines.extend(
                sub.lineno
                for sub in ast.walk(target)
                if isinstance(sub, ast.Attribute) and sub.attr == "status"
            )
        if isinstance(node, ast.Call):
            passes_status = any(k.arg == "status" for k in node.keywords)
            setattr_status = (
                isinstance(node.func, ast.Name)
                and node.func.id == "setattr"
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value == "status"
            )
            orm_write = (
                isinstance(node.func, ast.Attribute)
                and node.func.attr in {"update", "create", "update_or_create"}
            ) or (isinstance(node.func, ast.Name) and node.func.id == "Opportunity")
            if setattr_status or (
                passes_status and orm_write and _mentions_opportunity(node.func)
            ):
                lines.append(node.lineno)
    return lines


def test_only_workflow_modules_write_a_status():
    offenders = []
    for path in _python_sources():
        if path.name == "workflow.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offenders += [f"{path.relative_to(REPO)}:{n}" for n in _status_writes(tree)]

    assert offenders == [], "A status is set outside a workflow.py: use transition()"


@pytest.mark.parametrize(
    "source",
    [
        "opportunity.status = 'published'",
        "obj.status, obj.title = 'closed', 't'",
        "Opportunity.objects.filter(pk=1).update(status='closed')",
        "Opportunity.objects.create(status='published')",
        "Opportunity(status='decided')",
        "setattr(opportunity, 'status', 'closed')",
    ],
)
def test_status_write_detector_catches(source):
    assert _status_writes(ast.parse(source)) == [1]


@pytest.mark.parametrize(
    "source",
    [
        "opportunity.status == 'published'",
        "Opportunity.objects.filter(status='published')",
        "Opportunity.objects.exclude(status='draft')",
        "OutboundEmail.objects.filter(pk=1).update(status='sent')",
    ],
)
def test_status_write_detector_ignores_reads_and_other_models(source):
    assert _status_writes(ast.parse(source)) == []


def test_status_check_reads_every_app():
    checked = {path.relative_to(REPO).parts[0] for path in _python_sources()}

    assert {"catalogue", "config", "notifications", "accounts"} <= checked
