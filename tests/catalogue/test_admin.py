"""The administrators' catalogue in the Django admin."""

import datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.urls import reverse

from catalogue.enums import OpportunityStatus as S
from catalogue.models import Amendment, Opportunity
from catalogue.workflow import transition
from tests.catalogue.calls import publishable_call
from tests.factories import (
    AmendmentFactory,
    CarrierFactory,
    ContactFactory,
    EvaluationCriterionFactory,
    MissionFactory,
    MissionSubscriptionFactory,
    OpportunityFactory,
    RequiredDocumentFactory,
    UserFactory,
)
from tests.mfa import enable_totp, login_with_mfa

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/catalogue/opportunity/"


class _FormFields(HTMLParser):
    """The values a browser would post from the page's main form."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or ("name" not in attrs and tag != "option"):
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self._add(attrs["name"], attrs.get("value", "on"))
            elif kind not in {"submit", "button", "file"}:
                self._add(attrs["name"], attrs.get("value") or "")
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._add(self._textarea, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data.removeprefix("\n")


def change_form_data(client, opportunity: Opportunity) -> dict[str, list[str]]:
    response = client.get(change_url(opportunity))
    parser = _FormFields("opportunity_form")
    parser.feed(response.content.decode())
    return parser.data


def change_url(opportunity: Opportunity) -> str:
    return reverse("admin:catalogue_opportunity_change", args=[opportunity.pk])


def move_url(opportunity: Opportunity, move: str) -> str:
    return reverse(
        "admin:catalogue_opportunity_transition", args=[opportunity.pk, move]
    )


def amend_url(opportunity: Opportunity) -> str:
    return reverse("admin:catalogue_opportunity_amend", args=[opportunity.pk])


def preview_url(opportunity: Opportunity) -> str:
    return reverse("admin:catalogue_opportunity_preview", args=[opportunity.pk])


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def admin_client(client, admin_user):
    login_with_mfa(client, admin_user)
    return client


def _staff(*, perms: list[str] = (), totp: bool = True, group: str = ""):
    user = UserFactory(staff=True)
    if totp:
        enable_totp(user)
    codenames = [perm.split(".")[1] for perm in perms]
    permissions = Permission.objects.filter(
        content_type__app_label="catalogue", codename__in=codenames
    )
    if group:
        administrators, _created = Group.objects.get_or_create(name=group)
        administrators.permissions.set(permissions)
        user.groups.add(administrators)
    else:
        user.user_permissions.set(permissions)
    return user


# Changelists: a fixed number of queries, whatever the number of rows.


def _opportunities(count):
    mission = MissionFactory()
    for _ in range(count):
        OpportunityFactory(mission=mission)


def _missions(count):
    for _ in range(count):
        MissionFactory()


def _contacts(count):
    ContactFactory.create_batch(count)


def _tables(count):
    from catalogue.models import CooperationTable  # noqa: PLC0415

    for n in range(count):
        CooperationTable.objects.create(slug=f"table-{n}", section_en="S", title_en="T")


def _subscriptions(count):
    mission = MissionFactory()
    for _ in range(count):
        MissionSubscriptionFactory(mission=mission)


CHANGELISTS = {
    # admin: (changelist, rows maker, queries)
    "opportunity": (CHANGELIST, _opportunities, 9),
    "mission": ("/admin/catalogue/mission/", _missions, 6),
    "contact": ("/admin/catalogue/contact/", _contacts, 6),
    "cooperationtable": ("/admin/catalogue/cooperationtable/", _tables, 6),
    "subscription": ("/admin/catalogue/missionsubscription/", _subscriptions, 9),
}


@pytest.mark.parametrize("item_count", [1, 3, 10])
@pytest.mark.parametrize("changelist", list(CHANGELISTS))
def test_changelist_query_count_is_constant(
    admin_client, django_assert_num_queries, changelist, item_count
):
    url, make, queries = CHANGELISTS[changelist]
    make(item_count)

    with django_assert_num_queries(queries):
        response = admin_client.get(url)

    assert response.context["cl"].result_count == item_count


def test_opportunity_changelist_shows_deadline_in_beijing_time(admin_client):
    OpportunityFactory(
        title_en="Chang'E-7 payloads",
        proposal_deadline=datetime.datetime(2030, 8, 31, 15, 59, tzinfo=datetime.UTC),
    )

    response = admin_client.get(CHANGELIST)

    assert "31 Aug 2030, 23:59 Beijing time (UTC+8)" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=嫦娥七号", ["ce7"]),
        ("q=Tianwen", ["tw2"]),
        ("q=ce7", ["ce7"]),
        ("status__exact=draft", ["tw2"]),
        ("is_demo__exact=1", ["ce7"]),
    ],
)
def test_opportunity_changelist_searches_and_filters(admin_client, query, expected):
    OpportunityFactory(slug="ce7", title_zh_hans="嫦娥七号载荷", is_demo=True)
    OpportunityFactory(
        slug="tw2", draft=True, mission=MissionFactory(name_en="Tianwen-2")
    )

    response = admin_client.get(f"{CHANGELIST}?{query}")

    assert [o.slug for o in response.context["cl"].result_list] == expected


def test_mission_subscription_changelist_searches_by_email(admin_client):
    MissionSubscriptionFactory(user=UserFactory(email="pi@uni-bonn.example.org"))
    MissionSubscriptionFactory(user=UserFactory(email="other@example.org"))

    response = admin_client.get("/admin/catalogue/missionsubscription/?q=uni-bonn")

    assert [s.user.email for s in response.context["cl"].result_list] == [
        "pi@uni-bonn.example.org"
    ]


def test_mission_subscription_admin_is_read_only(admin_client):
    subscription = MissionSubscriptionFactory()
    url = reverse("admin:catalogue_missionsubscription_change", args=[subscription.pk])
    other_mission = MissionFactory()

    page = admin_client.get(url)
    post = admin_client.post(url, {"mission": other_mission.pk})

    subscription.refresh_from_db()
    assert page.context["has_change_permission"] is False
    assert post.status_code == 403
    assert subscription.mission != other_mission
    assert admin_client.get(url.replace("change", "delete")).status_code == 403


# Status buttons on the change page


@pytest.mark.parametrize(
    ("trait", "buttons"),
    [
        ({"draft": True}, ["publish", "cancel"]),
        ({}, ["close", "cancel"]),
        ({"closed": True}, ["reopen", "decide", "cancel"]),
        ({"decided": True}, []),
        ({"cancelled": True}, []),
    ],
)
def test_change_page_offers_the_moves_the_workflow_allows(admin_client, trait, buttons):
    opportunity = OpportunityFactory(**trait)

    response = admin_client.get(change_url(opportunity))

    assert [move["url"] for move in response.context["moves"]] == [
        move_url(opportunity, name) for name in buttons
    ]


@pytest.mark.parametrize(
    ("trait", "move", "status"),
    [
        ({"draft": True}, "publish", S.PUBLISHED),
        ({"draft": True}, "cancel", S.CANCELLED),
        ({}, "close", S.CLOSED),
        ({}, "cancel", S.CANCELLED),
        ({"closed": True}, "reopen", S.PUBLISHED),
        ({"closed": True}, "decide", S.DECIDED),
        ({"closed": True}, "cancel", S.CANCELLED),
    ],
)
def test_move_button_confirms_then_moves(admin_client, admin_user, trait, move, status):
    opportunity = publishable_call(title_en="Chang'E-8 payloads", **trait)

    confirmation = admin_client.get(move_url(opportunity, move))
    response = admin_client.post(
        move_url(opportunity, move), {"note": "Agreed by the board"}
    )

    stored = Opportunity.objects.get(pk=opportunity.pk)
    latest = stored.history.first()
    assert confirmation.context["move"].name == move
    assert response.url == change_url(opportunity)
    assert stored.status == status
    assert latest.history_user == admin_user
    assert latest.history_change_reason == "Agreed by the board"
    assert message_texts(response) == [
        f"“Chang'E-8 payloads” is now {S(status).label}."
    ]


@pytest.mark.parametrize(
    ("trait", "move", "current_to"),
    [
        ({"decided": True}, "publish", "Decided to Published"),
        ({"draft": True}, "close", "Draft to Closed"),
        ({}, "decide", "Published to Decided"),
        ({"cancelled": True}, "reopen", "Cancelled to Published"),
        ({"decided": True}, "cancel", "Decided to Cancelled"),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_move_button_refuses_an_illegal_move_with_a_message(
    admin_client, trait, move, current_to, method
):
    opportunity = OpportunityFactory(**trait)
    before = opportunity.status

    response = getattr(admin_client, method)(move_url(opportunity, move))

    assert response.url == change_url(opportunity)
    assert message_texts(response) == [f"An opportunity cannot move from {current_to}."]
    assert Opportunity.objects.get(pk=opportunity.pk).status == before


WEIGHTS_REFUSAL = (
    "The weights of this call's evaluation criteria add up to {total} %; they must "
    "add up to exactly 100 % before the call is published. Add or correct its "
    "evaluation criteria on the call's page, save, then publish it."
)


@pytest.mark.parametrize(
    ("weights", "total"), [([], "0"), ([Decimal(50), Decimal("40.00")], "90")]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_publish_button_refuses_criteria_not_adding_up_to_100(
    admin_client, weights, total, method
):
    opportunity = OpportunityFactory(draft=True)
    for weight in weights:
        EvaluationCriterionFactory(opportunity=opportunity, weight=weight)

    response = getattr(admin_client, method)(move_url(opportunity, "publish"))
    page = admin_client.get(response.url)

    assert response.url == change_url(opportunity)
    assert [str(m) for m in page.context["messages"]] == [
        WEIGHTS_REFUSAL.format(total=total)
    ]
    assert f"add up to {total} %; they must add up to exactly 100 %" in (
        page.content.decode()
    )
    assert Opportunity.objects.get(pk=opportunity.pk).status == S.DRAFT


def test_publish_button_publishes_criteria_adding_up_to_100(admin_client):
    opportunity = OpportunityFactory(draft=True, title_en="Chang'E-8 payloads")
    for weight in ("33.33", "33.33", "33.34"):
        EvaluationCriterionFactory(opportunity=opportunity, weight=Decimal(weight))

    confirmation = admin_client.get(move_url(opportunity, "publish"))
    response = admin_client.post(move_url(opportunity, "publish"), {"note": ""})

    assert confirmation.context["move"].name == "publish"
    assert Opportunity.objects.get(pk=opportunity.pk).status == S.PUBLISHED
    assert message_texts(response) == ["“Chang'E-8 payloads” is now Published."]


def test_move_button_unknown_move_is_404(admin_client):
    opportunity = OpportunityFactory(draft=True)

    response = admin_client.post(move_url(opportunity, "launch"))

    assert response.status_code == 404
    assert Opportunity.objects.get(pk=opportunity.pk).status == S.DRAFT


def test_publish_button_emails_contacts_and_subscribers_once_each(
    admin_client, django_capture_on_commit_callbacks, mailoutbox
):
    opportunity = publishable_call(draft=True)
    opportunity.contacts.add(
        ContactFactory(email="gany@cnsa.example.org"),
        ContactFactory(email="dongsh@cnsa.example.org"),
    )
    for email in ["pi@uni.example.org", "dongsh@cnsa.example.org"]:
        MissionSubscriptionFactory(
            mission=opportunity.mission, user=UserFactory(email=email)
        )
    MissionSubscriptionFactory(user=UserFactory(email="elsewhere@uni.example.org"))

    confirmation = admin_client.get(move_url(opportunity, "publish"))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(move_url(opportunity, "publish"), {"note": ""})

    assert confirmation.context["audience"] == {"contacts": 2, "subscribers": 2}
    assert sorted(address for message in mailoutbox for address in message.to) == [
        "dongsh@cnsa.example.org",
        "gany@cnsa.example.org",
        "pi@uni.example.org",
    ]


# Bulk actions on the changelist


def _action(client, action: str, opportunities, **extra):
    return client.post(
        CHANGELIST,
        {
            "action": action,
            "_selected_action": [o.pk for o in opportunities],
            **extra,
        },
    )


def test_bulk_publish_confirms_then_publishes_and_reports_refusals(
    admin_client, admin_user
):
    drafts = [publishable_call(draft=True) for _ in range(2)]
    decided = OpportunityFactory(decided=True, title_en="Chang'E-6 payloads")

    confirmation = _action(admin_client, "publish_selected", [*drafts, decided])
    response = _action(
        admin_client, "publish_selected", [*drafts, decided], post="yes", note=""
    )

    statuses = {o.pk: o.status for o in Opportunity.objects.all()}
    assert sorted(confirmation.context["movable"], key=lambda o: o.pk) == drafts
    assert [o for o, _refusal in confirmation.context["refused"]] == [decided]
    assert statuses == {
        drafts[0].pk: S.PUBLISHED,
        drafts[1].pk: S.PUBLISHED,
        decided.pk: S.DECIDED,
    }
    assert message_texts(response) == [
        "2 calls are now Published.",
        "Not moved: “Chang'E-6 payloads”: An opportunity cannot move from "
        "Decided to Published.",
    ]
    assert drafts[0].history.first().history_user == admin_user


def test_bulk_publish_names_the_calls_whose_criteria_are_not_100(admin_client):
    ready = publishable_call(draft=True, title_en="Chang'E-7 payloads")
    empty = OpportunityFactory(draft=True, title_en="Tianwen-3 payloads")

    confirmation = _action(admin_client, "publish_selected", [ready, empty])
    response = _action(
        admin_client, "publish_selected", [ready, empty], post="yes", note=""
    )

    assert confirmation.context["movable"] == [ready]
    assert "Tianwen-3 payloads (Draft): The weights of this call&#x27;s" in (
        confirmation.content.decode()
    )
    assert Opportunity.objects.get(pk=ready.pk).status == S.PUBLISHED
    assert Opportunity.objects.get(pk=empty.pk).status == S.DRAFT
    assert message_texts(response) == [
        "1 call is now Published.",
        "Not moved: “Tianwen-3 payloads”: " + WEIGHTS_REFUSAL.format(total=0),
    ]


@pytest.mark.parametrize(
    ("action", "trait", "status"),
    [
        ("close_selected", {}, S.CLOSED),
        ("cancel_selected", {"closed": True}, S.CANCELLED),
        ("cancel_selected", {"draft": True}, S.CANCELLED),
    ],
)
def test_bulk_action_moves_every_selected_call(admin_client, action, trait, status):
    opportunities = OpportunityFactory.create_batch(3, **trait)

    response = _action(admin_client, action, opportunities, post="yes", note="")

    assert {o.status for o in Opportunity.objects.all()} == {status}
    assert message_texts(response) == [f"3 calls are now {S(status).label}."]


def test_bulk_close_of_drafts_only_reports_refusal(admin_client):
    draft = OpportunityFactory(draft=True, title_en="Tianwen-3 payloads")

    response = _action(admin_client, "close_selected", [draft], post="yes", note="")

    assert Opportunity.objects.get(pk=draft.pk).status == S.DRAFT
    assert message_texts(response) == [
        "Not moved: “Tianwen-3 payloads”: An opportunity cannot move from Draft "
        "to Closed."
    ]


def test_bulk_delete_is_not_offered(admin_client):
    OpportunityFactory()

    response = admin_client.get(CHANGELIST)

    actions = [
        name
        for name, _label in response.context["action_form"].fields["action"].choices
    ]
    assert actions == ["", "publish_selected", "close_selected", "cancel_selected"]


@pytest.mark.parametrize(("trait", "deletable"), [({"draft": True}, True), ({}, False)])
def test_only_drafts_can_be_deleted(admin_client, trait, deletable):
    opportunity = OpportunityFactory(**trait)
    url = reverse("admin:catalogue_opportunity_delete", args=[opportunity.pk])

    response = admin_client.post(url, {"post": "yes"})

    assert Opportunity.objects.filter(pk=opportunity.pk).exists() is not deletable
    assert response.status_code == (302 if deletable else 403)


# Editing


def test_change_form_saves_and_history_records_the_user(admin_client, admin_user):
    opportunity = OpportunityFactory(title_en="Old title")
    data = change_form_data(admin_client, opportunity)
    data["title_en"] = ["Chang'E-7 payloads"]
    data["title_zh_hans"] = ["嫦娥七号载荷"]

    response = admin_client.post(change_url(opportunity), data)

    stored = Opportunity.objects.get(pk=opportunity.pk)
    latest = stored.history.first()
    assert response.status_code == 302
    assert (stored.title_en, stored.title_zh_hans) == (
        "Chang'E-7 payloads",
        "嫦娥七号载荷",
    )
    assert latest.history_user == admin_user
    assert latest.title_en == "Chang'E-7 payloads"
    assert latest.title_zh_hans == "嫦娥七号载荷"
    assert latest.history_type == "~"


def test_change_form_refuses_a_document_larger_than_nginx_lets_through(
    admin_client,
):
    document = RequiredDocumentFactory(max_size_mb=10)
    data = change_form_data(admin_client, document.opportunity)
    prefix = next(
        name.removesuffix("-id")
        for name, values in data.items()
        if name.endswith("-id") and values == [str(document.pk)]
    )
    data[f"{prefix}-max_size_mb"] = ["25"]

    response = admin_client.post(change_url(document.opportunity), data)

    document.refresh_from_db()
    assert response.status_code == 200
    assert (
        "At most 20 MB: the server refuses larger uploads before the portal sees "
        "them." in response.content.decode()
    )
    assert document.max_size_mb == 10


def test_history_page_names_who_changed_what(admin_client, admin_user):
    opportunity = publishable_call(draft=True)
    transition(opportunity, to=S.PUBLISHED, actor=admin_user, note="Launch of the call")

    response = admin_client.get(
        reverse("admin:catalogue_opportunity_history", args=[opportunity.pk])
    )

    content = response.content.decode()
    assert "Launch of the call" in content
    assert str(admin_user) in content
    assert response.context["revert_disabled"] is True


def test_history_revert_is_refused(admin_client, admin_user):
    opportunity = publishable_call(draft=True)
    first_version = opportunity.history.first()
    transition(opportunity, to=S.PUBLISHED, actor=admin_user)
    url = reverse(
        "admin:catalogue_opportunity_simple_history",
        args=[opportunity.pk, first_version.history_id],
    )
    data = change_form_data(admin_client, opportunity)

    view = admin_client.get(url)
    revert = admin_client.post(url, data)

    assert view.status_code == 200
    assert revert.status_code == 403
    assert Opportunity.objects.get(pk=opportunity.pk).status == S.PUBLISHED


def test_status_is_read_only_in_the_change_form(admin_client):
    opportunity = OpportunityFactory(draft=True)
    data = change_form_data(admin_client, opportunity)
    data["status"] = [S.PUBLISHED]

    admin_client.post(change_url(opportunity), data)

    assert "status" not in change_form_data(admin_client, opportunity)
    assert Opportunity.objects.get(pk=opportunity.pk).status == S.DRAFT


def test_saving_a_stale_form_does_not_undo_a_move(admin_client, admin_user):
    opportunity = OpportunityFactory(title_en="Before")
    stale = change_form_data(admin_client, opportunity)
    transition(opportunity, to=S.CLOSED, actor=admin_user)
    stale["title_en"] = ["After"]

    admin_client.post(change_url(opportunity), stale)

    stored = Opportunity.objects.get(pk=opportunity.pk)
    assert (stored.title_en, stored.status) == ("After", S.CLOSED)


def test_change_form_refuses_criteria_not_adding_up_to_100(admin_client):
    opportunity = OpportunityFactory()
    EvaluationCriterionFactory(opportunity=opportunity, weight=Decimal(40))
    EvaluationCriterionFactory(opportunity=opportunity, weight=Decimal(40))
    data = change_form_data(admin_client, opportunity)
    data["title_en"] = ["Changed"]

    response = admin_client.post(change_url(opportunity), data)

    formset = response.context["inline_admin_formsets"][1].formset
    assert formset.non_form_errors() == [
        "The weights of the evaluation criteria add up to 80 %; they must add up "
        "to 100 %."
    ]
    assert Opportunity.objects.get(pk=opportunity.pk).title_en != "Changed"


def test_change_form_accepts_criteria_adding_up_to_100(admin_client):
    opportunity = OpportunityFactory()
    EvaluationCriterionFactory(opportunity=opportunity, weight=Decimal(40))
    EvaluationCriterionFactory(opportunity=opportunity, weight=Decimal(40))
    data = change_form_data(admin_client, opportunity)
    data["criteria-1-weight"] = ["60"]

    response = admin_client.post(change_url(opportunity), data)

    assert response.status_code == 302
    assert sorted(c.weight for c in opportunity.criteria.all()) == [40, 60]


@pytest.mark.parametrize(
    ("weights", "shown"),
    [
        ([Decimal(50), Decimal(50)], "100 % in all."),
        ([Decimal(40), Decimal(40)], "80 % in all: the weights must add up to 100 %."),
        ([], "No criteria yet; their weights must add up to 100 %."),
    ],
)
def test_change_page_shows_the_criteria_total(admin_client, weights, shown):
    opportunity = OpportunityFactory()
    for weight in weights:
        EvaluationCriterionFactory(opportunity=opportunity, weight=weight)

    response = admin_client.get(change_url(opportunity))

    assert shown in response.content.decode()


def test_change_form_refuses_a_deadline_before_opening(admin_client):
    opportunity = OpportunityFactory()
    data = change_form_data(admin_client, opportunity)
    data["proposal_deadline_0"] = ["2020-01-01"]
    data["proposal_deadline_1"] = ["00:00:00"]

    response = admin_client.post(change_url(opportunity), data)

    assert response.context["adminform"].form.non_field_errors() == [
        "The proposal deadline must be after opening."
    ]


def test_change_form_takes_dates_in_beijing_time(admin_client):
    opportunity = OpportunityFactory()
    data = change_form_data(admin_client, opportunity)
    data["proposal_deadline_0"] = ["2031-08-31"]
    data["proposal_deadline_1"] = ["23:59:00"]

    admin_client.post(change_url(opportunity), data)

    assert Opportunity.objects.get(pk=opportunity.pk).proposal_deadline == (
        datetime.datetime(2031, 8, 31, 15, 59, tzinfo=datetime.UTC)
    )


def test_change_page_lists_amendments_read_only(admin_client):
    opportunity = OpportunityFactory()
    AmendmentFactory(opportunity=opportunity, title_en="Deadline extended")
    CarrierFactory(opportunity=opportunity)
    RequiredDocumentFactory(opportunity=opportunity)

    response = admin_client.get(change_url(opportunity))

    amendments = response.context["inline_admin_formsets"][-1]
    assert amendments.has_add_permission is False
    assert amendments.has_change_permission is False
    assert "Deadline extended" in response.content.decode()


# Amendments


def test_amend_posts_in_both_languages_and_emails_the_audience(
    admin_client, admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    opportunity = OpportunityFactory(title_en="Chang'E-7 payloads")
    opportunity.contacts.add(ContactFactory(email="gany@cnsa.example.org"))
    MissionSubscriptionFactory(
        mission=opportunity.mission, user=UserFactory(email="pi@uni.example.org")
    )

    form_page = admin_client.get(amend_url(opportunity))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            amend_url(opportunity),
            {
                "title_en": "Deadline extended",
                "body_en": "Proposals are due two weeks later.",
                "title_zh_hans": "截止日期延长",
                "body_zh_hans": "提交截止日期推迟两周。",
            },
        )

    amendment = Amendment.objects.get(opportunity=opportunity)
    assert form_page.status_code == 200
    assert response.url == change_url(opportunity)
    assert (amendment.title_en, amendment.title_zh_hans) == (
        "Deadline extended",
        "截止日期延长",
    )
    assert amendment.posted_by == admin_user
    assert sorted(address for message in mailoutbox for address in message.to) == [
        "gany@cnsa.example.org",
        "pi@uni.example.org",
    ]
    assert message_texts(response) == [
        "Amendment “Deadline extended” posted; the call's contacts, followers and "
        "teams at work are being emailed."
    ]


@pytest.mark.parametrize("method", ["get", "post"])
def test_amend_of_a_draft_is_refused_with_a_message(admin_client, method):
    opportunity = OpportunityFactory(draft=True)

    response = getattr(admin_client, method)(
        amend_url(opportunity), {"title_en": "T", "body_en": "B"}
    )

    assert response.url == change_url(opportunity)
    assert message_texts(response) == [
        "Only a published or closed call can be amended; a draft is edited directly."
    ]
    assert Amendment.objects.count() == 0


def test_change_page_of_a_draft_offers_no_amendment(admin_client):
    opportunity = OpportunityFactory(draft=True)

    response = admin_client.get(change_url(opportunity))

    assert response.context["amend_url"] is None
    assert response.context["preview_url"] == preview_url(opportunity)


def test_amend_needs_both_chinese_fields_or_neither(admin_client):
    opportunity = OpportunityFactory()

    response = admin_client.post(
        amend_url(opportunity),
        {"title_en": "T", "body_en": "B", "title_zh_hans": "标题"},
    )

    assert response.context["form"].non_field_errors() == [
        "Give both the Chinese title and the Chinese text, or neither."
    ]
    assert Amendment.objects.count() == 0


# Preview


def test_preview_of_a_draft_renders_in_the_admin_while_public_url_is_404(
    admin_client, client
):
    opportunity = OpportunityFactory(draft=True, title_en="Secret draft call")

    preview = admin_client.get(preview_url(opportunity))
    admin_client.logout()
    public = client.get(opportunity.get_absolute_url())

    assert preview.status_code == 200
    assert preview.context["preview"] is True
    assert preview.context["opportunity"] == opportunity
    assert "Secret draft call" in preview.content.decode()
    assert public.status_code == 404


# Who may use the admin


def _urls(opportunity):
    return {
        "changelist": CHANGELIST,
        "change": change_url(opportunity),
        "move": move_url(opportunity, "publish"),
        "amend": amend_url(opportunity),
        "preview": preview_url(opportunity),
        "history": reverse(
            "admin:catalogue_opportunity_history", args=[opportunity.pk]
        ),
        "missions": "/admin/catalogue/mission/",
    }


@pytest.mark.parametrize(
    "page", ["changelist", "change", "move", "amend", "preview", "history", "missions"]
)
def test_anonymous_and_researchers_are_sent_to_sign_in(client, researcher, page):
    opportunity = OpportunityFactory(draft=True)
    url = _urls(opportunity)[page]

    anonymous = client.get(url)
    client.force_login(researcher)
    signed_in = client.get(url)

    for response in (anonymous, signed_in):
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")


@pytest.mark.parametrize(
    "page", ["changelist", "change", "move", "amend", "preview", "history", "missions"]
)
def test_staff_without_totp_is_sent_to_set_it_up(client, page):
    opportunity = OpportunityFactory(draft=True)
    client.force_login(_staff(totp=False, perms=["catalogue.view_opportunity"]))

    response = client.get(_urls(opportunity)[page])

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


@pytest.mark.parametrize(
    "page", ["changelist", "change", "move", "amend", "preview", "history", "missions"]
)
def test_staff_without_catalogue_permissions_gets_403(client, page):
    opportunity = OpportunityFactory(draft=True)
    login_with_mfa(client, _staff())

    response = client.get(_urls(opportunity)[page])

    assert response.status_code == 403


@pytest.mark.parametrize("move", ["publish", "cancel"])
def test_staff_who_may_only_view_cannot_move(client, move):
    opportunity = OpportunityFactory(draft=True)
    login_with_mfa(client, _staff(perms=["catalogue.view_opportunity"]))

    page = client.get(change_url(opportunity))
    response = client.post(move_url(opportunity, move), {"note": ""})

    assert page.status_code == 200
    assert "moves" not in page.context
    assert response.status_code == 403
    assert Opportunity.objects.get(pk=opportunity.pk).status == S.DRAFT


def test_administrators_group_member_can_publish(client):
    opportunity = publishable_call(draft=True)
    administrator = _staff(
        group="Administrators",
        perms=["catalogue.view_opportunity", "catalogue.change_opportunity"],
    )
    login_with_mfa(client, administrator)

    client.post(move_url(opportunity, "publish"), {"note": ""})

    stored = Opportunity.objects.get(pk=opportunity.pk)
    assert stored.status == S.PUBLISHED
    assert stored.history.first().history_user == administrator


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_change_page_query_count_is_constant(
    admin_client, django_assert_num_queries, item_count
):
    opportunity = OpportunityFactory()
    opportunity.contacts.add(*ContactFactory.create_batch(item_count))
    for _ in range(item_count):
        CarrierFactory(opportunity=opportunity)
        EvaluationCriterionFactory(opportunity=opportunity)
        RequiredDocumentFactory(opportunity=opportunity)
        AmendmentFactory(opportunity=opportunity, posted_by=UserFactory())
    ContentType.objects.clear_cache()  # the count includes the page's content type

    # session, user, authenticator, the call (for the buttons, for the form), its
    # contacts, six inlines, content type, the chosen mission and contacts (the
    # autocomplete widgets), the criteria's total weight
    with django_assert_num_queries(16):
        response = admin_client.get(change_url(opportunity))

    assert len(response.context["inline_admin_formsets"][0].formset.forms) == (
        item_count
    )


# Missions and contacts


def test_mission_change_keeps_both_languages_and_history_records_the_user(
    admin_client, admin_user
):
    mission = MissionFactory(name_en="Chang'E-7", name_zh_hans="")
    url = reverse("admin:catalogue_mission_change", args=[mission.pk])
    page = admin_client.get(url)
    parser = _FormFields("mission_form")
    parser.feed(page.content.decode())
    data = {**parser.data, "name_zh_hans": ["嫦娥七号"]}

    response = admin_client.post(url, data)

    latest = mission.history.first()
    assert response.status_code == 302
    assert latest.name_zh_hans == "嫦娥七号"
    assert latest.history_user == admin_user


@pytest.mark.parametrize(
    ("field", "term", "expected"),
    [("contacts", "GAN", ["GAN Yong"]), ("mission", "Tianwen", ["Tianwen-3"])],
)
def test_opportunity_autocomplete_finds_contacts_and_missions(
    admin_client, field, term, expected
):
    ContactFactory(name="GAN Yong")
    ContactFactory(name="DONG Shuai")
    MissionFactory(name_en="Tianwen-3")
    MissionFactory(name_en="Chang'E-8")

    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "catalogue",
            "model_name": "opportunity",
            "field_name": field,
            "term": term,
        },
    )

    assert [row["text"] for row in response.json()["results"]] == expected
