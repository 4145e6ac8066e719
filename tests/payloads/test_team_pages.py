"""The team's pages: "My payloads", "My payload", the answer to a condition with
its documents, the downloads, the link from the proposal's page, and the
timeline drawn as an SVG with a table of the same figures."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from payloads.enums import ConditionStatus, PayloadStatus
from payloads.forms import PENDING_PREFIX
from payloads.models import Condition, ConditionDocument
from payloads.timeline import (
    DONE,
    DONE_LATE,
    LATE,
    PLANNED,
    TimelineRow,
    layout_timeline,
)
from proposals.enums import ProposalStatus
from tests.factories import (
    SAMPLE_PDF,
    ProposalVersionFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.payloads.factories import (
    AgreementFactory,
    ConditionDocumentFactory,
    ConditionFactory,
    DataHandoverFactory,
    DeliveryFactory,
    MilestoneFactory,
    MilestoneSlipFactory,
    PayloadFactory,
    payload_factory,
)

pytestmark = pytest.mark.django_db

HTML_FILE = b"<!doctype html><html><body>Not a PDF</body></html>"


def _pdf(name="thermal.pdf", content=SAMPLE_PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _answer_url(condition):
    return f"/payloads/{condition.payload_id}/conditions/{condition.pk}/answer/"


def _prefix(condition):
    return f"condition-{condition.pk}"


# "My payloads" -------------------------------------------------------------------


def test_list_shows_the_teams_payloads_only(client):
    mine = payload_factory(conditions=2, milestones=1)
    PayloadFactory()  # someone else's
    client.force_login(mine.proposal.principal_investigator)

    response = client.get("/payloads/")

    assert [p.pk for p in response.context["payloads"]] == [mine.pk]
    content = response.content.decode()
    assert mine.get_absolute_url() in content
    assert "2 of 2" in content  # conditions not yet accepted
    assert "Milestone 1" in content


def test_list_tells_a_researcher_without_payloads(client):
    client.force_login(UserFactory())

    response = client.get("/payloads/")

    assert response.context["payloads"] == []
    assert "None of your proposals has been selected yet" in response.content.decode()


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_list_query_count_is_constant(client, django_assert_num_queries, item_count):
    user = UserFactory()
    for _index in range(item_count):
        payload_factory(
            conditions=2,
            milestones=2,
            version__proposal__principal_investigator=user,
        )
    client.force_login(user)

    # session, user, and the payloads with their flags in one query.
    with django_assert_num_queries(3):
        response = client.get("/payloads/")

    assert len(response.context["payloads"]) == item_count


# "My payload" --------------------------------------------------------------------


def _full_payload():
    """A conditional payload with something in every section."""
    today = timezone.localdate()
    payload = payload_factory(conditions=0)
    payload.status = PayloadStatus.CONDITIONAL
    payload.allocated_mass_kg = Decimal("4.000")
    payload.save()
    ConditionFactory(
        payload=payload,
        order=1,
        text="Reduce the mass to 4 kg.",
        due_date=today - timedelta(days=3),
    )
    ConditionFactory(
        payload=payload,
        order=2,
        text="Give the thermal design.",
        status=ConditionStatus.RETURNED,
        answer="See the attached design.",
        review_note="The night survival case is missing.",
        reviewed_at=timezone.now(),
    )
    ConditionDocumentFactory(
        condition=ConditionFactory(
            payload=payload, order=3, status=ConditionStatus.ACCEPTED
        )
    )
    AgreementFactory(payload=payload, signed=True)
    AgreementFactory(payload=payload)
    late = MilestoneFactory(
        payload=payload,
        name="Critical design review",
        planned_date=today - timedelta(days=10),
        order=1,
    )
    MilestoneSlipFactory(
        milestone=late,
        from_date=today - timedelta(days=40),
        to_date=today - timedelta(days=10),
        reason="The detector's supplier is late.",
    )
    MilestoneFactory(
        payload=payload,
        kind="landing",
        name="Landing",
        planned_date=today - timedelta(days=20),
        actual_date=today - timedelta(days=15),
        order=2,
    )
    DeliveryFactory(
        payload=payload,
        mass_kg=Decimal("5.200"),
        overrun=True,
        findings=[
            {
                "code": "mass_over_allocation",
                "field": "mass_kg",
                "value": "5.2",
                "limit": "4",
                "carrier": "",
            }
        ],
    )
    DataHandoverFactory(payload=payload, delivered_on=today - timedelta(days=5))
    return payload


def test_detail_shows_every_section(client):
    payload = _full_payload()
    client.force_login(payload.proposal.principal_investigator)

    response = client.get(payload.get_absolute_url())

    content = response.content.decode()
    assert response.context["payload"] == payload
    # status and allocation
    assert "Conditionally selected" in content
    assert "Resources: allocated and requested" in content
    # conditions: overdue flagged, the returned one with the note and a form
    rows = response.context["conditions"]
    assert [row["condition"].is_overdue for row in rows] == [True, False, False]
    assert [row["form"] is not None for row in rows] == [True, True, False]
    assert "condition-overdue" in content
    assert "The night survival case is missing." in content
    assert rows[1]["form"]["answer"].value() == "See the attached design."
    assert "thermal-design.pdf" in content
    # agreements: who signed when, and the signed PDF
    assert "Li Wei (CNSA); Dr Amina Haddad (University)" in content
    signed = payload.agreements.get(status="signed")
    assert f"/payloads/documents/agreement/{signed.pk}/" in content
    # milestones: the SVG with a title, the table, the slip and its reason
    assert 'role="img"' in content
    assert '<title id="milestone-timeline-title">' in content
    assert "The detector&#x27;s supplier is late." in content
    # Landing was done five days after its planned date; the review is overdue.
    assert [row.state for row in response.context["timeline"].rows] == [
        DONE_LATE,
        LATE,
    ]
    # deliveries: the overrun flagged with its sentence
    assert "Over the allocation" in content
    assert "The unit weighs 5.2 kg, more than the 4 kg allocated." in content
    # data: days from landing
    assert "10 days after landing or separation" in content


def test_detail_shows_the_deselection_letter_and_no_answer_form(client):
    payload = PayloadFactory(deselected=True)
    ConditionFactory(payload=payload)
    client.force_login(payload.proposal.principal_investigator)

    response = client.get(payload.get_absolute_url())

    assert "This payload has been de-selected" in response.content.decode()
    assert "The conditions were not met." in response.content.decode()
    assert [row["form"] for row in response.context["conditions"]] == [None]


def test_detail_offers_a_collaborator_no_answer_form(client):
    payload = payload_factory(conditions=1)
    collaborator = UserFactory()
    TeamMemberFactory(
        proposal=payload.proposal,
        user=collaborator,
        confirmed=True,
        role="collaborator",
    )
    client.force_login(collaborator)

    response = client.get(payload.get_absolute_url())

    assert [row["form"] for row in response.context["conditions"]] == [None]


def _detail_with(count: int):
    payload = payload_factory(conditions=count, agreements=count, milestones=count)
    for condition in payload.conditions.all():
        ConditionDocumentFactory(condition=condition)
    for milestone in payload.milestones.all():
        MilestoneSlipFactory(milestone=milestone)
    for _index in range(count):
        AgreementFactory(payload=payload, signed=True)
        DeliveryFactory(payload=payload)
        DataHandoverFactory(payload=payload)
    return payload


@pytest.mark.parametrize("count", [1, 3])
def test_detail_query_count_is_constant(client, django_assert_num_queries, count):
    payload = _detail_with(count)
    client.force_login(payload.proposal.principal_investigator)

    # session, user, the payload, its team, conditions, their documents,
    # agreements, milestones, their slips, deliveries, handovers and the last
    # allocation change.
    with django_assert_num_queries(12):
        response = client.get(payload.get_absolute_url())

    assert len(response.context["conditions"]) == count


# Answering a condition -------------------------------------------------------------


def test_answer_with_documents_is_saved(client, django_capture_on_commit_callbacks):
    condition = ConditionFactory()
    pi = condition.payload.proposal.principal_investigator
    client.force_login(pi)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _answer_url(condition),
            {
                f"{_prefix(condition)}-answer": "The mass is now 3.9 kg.",
                f"{_prefix(condition)}-documents": [
                    _pdf("mass budget.pdf"),
                    _pdf("../../drawing.PDF"),
                ],
            },
        )

    assert response.status_code == 302
    assert response["Location"] == (
        f"{condition.payload.get_absolute_url()}#condition-{condition.pk}"
    )
    condition.refresh_from_db()
    assert condition.status == ConditionStatus.ANSWERED
    assert condition.answer == "The mass is now 3.9 kg."
    assert sorted(d.original_name for d in condition.documents.all()) == [
        "drawing.pdf",
        "mass budget.pdf",
    ]


def test_answer_with_an_invalid_pdf_keeps_the_text_and_the_good_file(client):
    condition = ConditionFactory()
    client.force_login(condition.payload.proposal.principal_investigator)
    prefix = _prefix(condition)

    response = client.post(
        _answer_url(condition),
        {
            f"{prefix}-answer": "The mass is now 3.9 kg.",
            f"{prefix}-documents": [_pdf("good.pdf"), _pdf("bad.pdf", HTML_FILE)],
        },
    )

    assert response.status_code == 400
    form = next(row["form"] for row in response.context["conditions"])
    assert form["answer"].value() == "The mass is now 3.9 kg."
    assert form.errors["documents"] == [
        "“bad.pdf”: This file is a web page (HTML), not a PDF. Print it to PDF "
        "and upload the PDF."
    ]
    assert [kept.name for kept in form.kept_files] == ["good.pdf"]
    content = response.content.decode()
    assert "The mass is now 3.9 kg.</textarea>" in content
    assert f'name="{prefix}-kept" value="{form.kept_files[0].token}"' in content
    condition.refresh_from_db()
    assert condition.status == ConditionStatus.OPEN
    assert not ConditionDocument.objects.exists()

    # The second try sends the kept file without uploading it again.
    response = client.post(
        _answer_url(condition),
        {
            f"{prefix}-answer": "The mass is now 3.9 kg.",
            f"{prefix}-kept": [form.kept_files[0].token],
        },
    )

    assert response.status_code == 302
    condition.refresh_from_db()
    assert condition.status == ConditionStatus.ANSWERED
    assert [d.original_name for d in condition.documents.all()] == ["good.pdf"]
    assert condition.documents.get().file.read() == SAMPLE_PDF


def test_answer_without_text_keeps_the_files(client):
    condition = ConditionFactory()
    client.force_login(condition.payload.proposal.principal_investigator)
    prefix = _prefix(condition)

    response = client.post(
        _answer_url(condition),
        {f"{prefix}-answer": "  ", f"{prefix}-documents": [_pdf("good.pdf")]},
    )

    assert response.status_code == 400
    form = next(row["form"] for row in response.context["conditions"])
    assert form.errors["answer"] == [
        "Write your answer: what you did or will do to meet this condition."
    ]
    assert [kept.name for kept in form.kept_files] == ["good.pdf"]
    assert "Documents kept from your last try" in response.content.decode()


def test_answer_drops_a_kept_file_the_team_removes(client, settings):
    condition = ConditionFactory()
    client.force_login(condition.payload.proposal.principal_investigator)
    prefix = _prefix(condition)
    first = client.post(
        _answer_url(condition),
        {f"{prefix}-answer": "", f"{prefix}-documents": [_pdf("old.pdf")]},
    )
    token = first.context["conditions"][0]["form"].kept_files[0].token

    response = client.post(
        _answer_url(condition),
        {
            f"{prefix}-answer": "Done.",
            f"{prefix}-kept": [token],
            f"{prefix}-discard": [token],
        },
    )

    assert response.status_code == 302
    condition.refresh_from_db()
    assert list(condition.documents.all()) == []


def test_answer_ignores_a_kept_token_made_for_someone_else(client):
    condition = ConditionFactory()
    pi = condition.payload.proposal.principal_investigator
    client.force_login(pi)
    prefix = _prefix(condition)
    first = client.post(
        _answer_url(condition),
        {f"{prefix}-answer": "", f"{prefix}-documents": [_pdf("theirs.pdf")]},
    )
    token = first.context["conditions"][0]["form"].kept_files[0].token
    colleague = UserFactory()
    TeamMemberFactory(
        proposal=condition.payload.proposal, user=colleague, confirmed=True
    )
    client.force_login(colleague)

    response = client.post(
        _answer_url(condition),
        {f"{prefix}-answer": "Done.", f"{prefix}-kept": [token]},
    )

    assert response.status_code == 302
    condition.refresh_from_db()
    assert list(condition.documents.all()) == []


def test_answer_to_an_answered_condition_is_refused_with_the_text_kept(client):
    condition = ConditionFactory()
    client.force_login(condition.payload.proposal.principal_investigator)
    Condition.objects.filter(pk=condition.pk).update(status=ConditionStatus.ANSWERED)

    response = client.post(
        _answer_url(condition),
        {f"{_prefix(condition)}-answer": "Again."},
    )

    # The refusal says why, above the text as typed.
    assert response.status_code == 400
    form = response.context["conditions"][0]["form"]
    assert form.non_field_errors() == [
        "This condition is “Answered”; wait for the administrators' review "
        "before answering again."
    ]
    assert form["answer"].value() == "Again."


def test_answer_by_a_collaborator_is_forbidden(client):
    condition = ConditionFactory()
    collaborator = UserFactory()
    TeamMemberFactory(
        proposal=condition.payload.proposal,
        user=collaborator,
        confirmed=True,
        role="collaborator",
    )
    client.force_login(collaborator)

    response = client.post(
        _answer_url(condition), {f"{_prefix(condition)}-answer": "Done."}
    )

    assert response.status_code == 403
    condition.refresh_from_db()
    assert condition.status == ConditionStatus.OPEN


def _pending_files() -> set[str]:
    try:
        return set(default_storage.listdir(PENDING_PREFIX)[1])
    except FileNotFoundError:
        return set()


def test_answer_leaves_no_file_in_the_holding_place(client):
    condition = ConditionFactory()
    client.force_login(condition.payload.proposal.principal_investigator)
    before = _pending_files()

    client.post(
        _answer_url(condition),
        {
            f"{_prefix(condition)}-answer": "Done.",
            f"{_prefix(condition)}-documents": [_pdf()],
        },
    )

    assert _pending_files() == before


# Downloads -------------------------------------------------------------------------


def test_condition_document_downloads_as_an_attachment(client):
    document = ConditionDocumentFactory(original_name="thermal design.pdf")
    client.force_login(document.condition.payload.proposal.principal_investigator)

    response = client.get(f"/payloads/documents/condition/{document.pk}/")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="thermal design.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == SAMPLE_PDF


def test_agreement_without_a_signed_pdf_is_not_found(client):
    agreement = AgreementFactory()
    client.force_login(agreement.payload.proposal.principal_investigator)

    response = client.get(f"/payloads/documents/agreement/{agreement.pk}/")

    assert response.status_code == 404


# The link from the proposal's page ----------------------------------------------------


def test_proposal_page_links_to_my_payload(client):
    payload = PayloadFactory()
    client.force_login(payload.proposal.principal_investigator)

    response = client.get(f"/proposals/{payload.proposal_id}/")

    assert f'href="{payload.get_absolute_url()}"' in response.content.decode()


def test_proposal_page_without_payload_has_no_link(client):
    proposal = ProposalVersionFactory(proposal__status=ProposalStatus.SELECTED).proposal
    client.force_login(proposal.principal_investigator)

    response = client.get(f"/proposals/{proposal.pk}/")

    assert "/payloads/" not in response.content.decode()


# The timeline ------------------------------------------------------------------------


TODAY = date(2026, 12, 5)


def _row(label="PDR", planned=date(2027, 3, 1), **kwargs):
    values = {"actual": None, "slip": 0, "done": False, "late": False, "side": "team"}
    values.update(kwargs)
    return TimelineRow(label=label, planned=planned, **values)


def test_timeline_gives_each_state_its_own_shape():
    timeline = layout_timeline(
        [
            _row("A", date(2026, 6, 1), actual=date(2026, 6, 1), done=True),
            _row("B", date(2026, 6, 1), actual=date(2026, 7, 1), done=True, late=True),
            _row("C", date(2026, 11, 1), late=True),
            _row("D", date(2027, 3, 1)),
        ],
        today=TODAY,
    )

    assert [row.state for row in timeline.rows] == [DONE, DONE_LATE, LATE, PLANNED]
    late = timeline.rows[2]
    assert late.late_bar.x1 == late.x
    assert late.late_bar.x2 == timeline.today_x
    assert timeline.rows[1].late_bar.x2 == timeline.rows[1].x


def test_timeline_spans_every_date_and_today():
    timeline = layout_timeline([_row(planned=date(2027, 3, 10), slip=40)], today=TODAY)

    assert timeline.start == date(2026, 12, 1)
    assert timeline.end == date(2027, 4, 1)
    row = timeline.rows[0]
    assert row.first_planned == date(2027, 1, 29)
    assert row.slip_bar.x1 == row.first_x
    assert timeline.chart_start <= timeline.today_x < row.first_x < row.x
    assert timeline.ticks[0].day == date(2026, 12, 1)


def test_timeline_without_dates_draws_only_the_table():
    timeline = layout_timeline([], today=TODAY)

    assert timeline.start is None
    assert timeline.rows == []


def test_timeline_template_escapes_labels_and_has_a_title():
    from django.template.loader import render_to_string  # noqa: PLC0415

    timeline = layout_timeline([_row("<script>alert(1)</script>")], today=TODAY)

    html = render_to_string(
        "payloads/_timeline.html", {"timeline": timeline, "caption": "Milestones"}
    )

    assert "<script>alert" not in html
    assert '<svg class="payload-timeline"' in html
    assert 'role="img"' in html
    assert '<title id="payload-timeline-title">Milestones</title>' in html
    assert "<table" in html
    assert "1 Mar 2027" in html
