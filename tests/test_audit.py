"""The audit: history of a call's parts, decisions, users' groups and
permissions, and the administrators' audit log page (config.audit)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from catalogue.models import Carrier
from proposals.enums import ProposalStatus
from reviews import services
from tests.factories import (
    CarrierFactory,
    OpportunityFactory,
    ProposalFactory,
    ReviewerFactory,
    StatementFactory,
    UserFactory,
    make_review_administrator,
)
from tests.mfa import enable_totp, login_with_mfa

pytestmark = pytest.mark.django_db

AUDIT = "/admin/audit/"


def _signed_in(client, user):
    if user.is_staff:
        enable_totp(user)
        login_with_mfa(client, user)
    else:
        client.force_login(user)
    return client


@pytest.fixture
def administrator():
    return make_review_administrator(
        email="chair@cnsa.example.org", full_name="Chair Wen"
    )


@pytest.fixture
def admin_client(client, administrator):
    return _signed_in(client, administrator)


@pytest.fixture
def superuser():
    return UserFactory(superuser=True, full_name="Root Zhao")


@pytest.fixture
def superuser_client(client, superuser):
    """Only superusers edit accounts and groups."""
    return _signed_in(client, superuser)


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [row.split("</tr>", 1)[0] for row in body.split("<tr>")[1:]]


# --- what the history records ---------------------------------------------------


def test_carrier_change_is_recorded_with_its_author_and_diff(
    admin_client, administrator
):
    carrier = CarrierFactory(name_en="Lander", power_w=Decimal("30.0"))
    carrier._history_user = administrator
    carrier.name_en = "Rover"
    carrier.power_w = Decimal("45.0")
    carrier.save()

    rows = _rows(admin_client.get(AUDIT, {"model": "carrier"}).content.decode())

    assert len(rows) == 2  # created by the factory, then changed
    changed = rows[0]
    assert "Chair Wen" in changed
    assert "Changed" in changed
    assert f"{carrier.opportunity.title}: Rover" in changed
    assert "<strong>Name [en]</strong>: <del>Lander</del> → <ins>Rover</ins>" in changed
    assert "<strong>Power (W)</strong>: <del>30.0</del> → <ins>45.0</ins>" in changed
    assert "Total mass" not in changed  # unchanged fields are not listed
    assert (
        reverse("admin:catalogue_opportunity_change", args=[carrier.opportunity_id])
        in changed
    )


def test_deleted_statement_is_a_line_of_its_own(admin_client):
    statement = StatementFactory(text_en="We fund our own payload.")
    statement.delete()

    rows = _rows(admin_client.get(AUDIT, {"model": "statement"}).content.decode())

    assert ["Deleted" in row for row in rows] == [True, False]
    assert "the system" in rows[0]  # no request, no actor: a script did it


def test_decisions_record_who_decided_and_who_released(administrator):
    opportunity = OpportunityFactory(closed=True)
    proposal = ProposalFactory(
        opportunity=opportunity, submitted=True, status=ProposalStatus.UNDER_REVIEW
    )
    other = make_review_administrator()

    services.record_decision(proposal=proposal, outcome="selected", actor=other)
    services.record_decision(
        proposal=proposal, outcome="not_selected", actor=administrator
    )
    services.release_decisions(opportunity=opportunity, actor=other)

    lines = list(proposal.decision.history.order_by("history_date"))
    assert [(line.history_type, line.outcome, line.history_user) for line in lines] == [
        ("+", "selected", other),
        ("~", "not_selected", administrator),
        ("~", "not_selected", other),
    ]
    assert lines[-1].released_at is not None


def test_letter_templates_record_edits_and_restoring_the_default(administrator):
    opportunity = OpportunityFactory(closed=True)
    for body in ("Dear {pi_name}, yes.", "Dear {pi_name}, indeed yes.", ""):
        services.set_letter_template(
            opportunity=opportunity, outcome="selected", body=body, actor=administrator
        )

    template_history = opportunity.decision_letter_templates.model.history
    assert [
        (line.history_type, line.body, line.history_user)
        for line in template_history.order_by("history_date")
    ] == [
        ("+", "Dear {pi_name}, yes.", administrator),
        ("~", "Dear {pi_name}, indeed yes.", administrator),
        ("-", "Dear {pi_name}, indeed yes.", administrator),
    ]


def test_users_groups_are_recorded_from_either_side_and_sign_ins_are_not():
    reviewers = Group.objects.create(name="Reviewers")
    user = UserFactory()
    other = UserFactory()

    user.groups.add(reviewers)
    reviewers.user_set.add(other)
    reviewers.user_set.remove(user)
    user.full_name = "A new name"
    user.save()  # no tracked field changed
    user.save(update_fields=["last_login"])  # what a sign-in saves

    def groups(account):
        return [
            sorted(line.groups.values_list("group__name", flat=True))
            for line in account.history.order_by("history_date", "history_id")
        ]

    assert groups(user) == [[], ["Reviewers"], []]
    assert groups(other) == [[], ["Reviewers"]]


def test_user_history_keeps_no_personal_data():
    user = UserFactory(full_name="Amina Haddad", email="amina@lab.example.org")

    line = user.history.get()

    recorded = {field.name for field in type(line)._meta.get_fields()}
    assert not recorded & {"email", "full_name", "password", "orcid", "last_login"}


def test_group_permissions_changed_in_the_admin_name_the_administrator(
    superuser_client, superuser
):
    editors = Group.objects.create(name="Editors")
    permission = Permission.objects.get(codename="change_opportunity")

    response = superuser_client.post(
        reverse("admin:auth_group_change", args=[editors.pk]),
        {"name": "Editors", "permissions": [permission.pk]},
    )

    assert response.status_code == 302
    latest = editors.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == superuser
    assert list(latest.permissions.values_list("permission", flat=True)) == [
        permission.pk
    ]
    row = _rows(superuser_client.get(AUDIT, {"model": "group"}).content.decode())[0]
    assert "Root Zhao" in row
    added = "Catalogue | opportunity | Can change opportunity"
    assert f"<strong>Permissions</strong>: <del>—</del> → <ins>{added}</ins>" in row


def test_user_made_staff_shows_in_its_history_page_and_the_audit_log(
    superuser_client, superuser
):
    user = UserFactory(email="new.staff@cnsa.example.org", full_name="")
    user._history_user = superuser
    user.is_staff = True
    user.save()

    page = superuser_client.get(reverse("admin:accounts_user_history", args=[user.pk]))
    audit = _rows(superuser_client.get(AUDIT, {"model": "user"}).content.decode())[0]

    assert page.status_code == 200
    assert page.content.decode().count("<tr") >= 3  # header and two versions
    assert "new.staff@cnsa.example.org" in audit
    assert "<strong>Staff status</strong>: <del>no</del> → <ins>yes</ins>" in audit


def test_history_pages_never_revert(superuser_client):
    user = UserFactory()
    version = user.history.get()

    response = superuser_client.post(
        reverse("admin:accounts_user_simple_history", args=[user.pk, version.pk]), {}
    )

    assert response.status_code == 403


# --- the audit log page --------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        # Not staff: sent to the administrators' sign-in, as on every /admin/ page.
        ("anonymous", 302),
        ("researcher", 302),
        ("reviewer", 302),
        # Staff outside the Administrators group: refused.
        ("staff", 403),
        ("administrator", 200),
        ("superuser", 200),
    ],
)
def test_audit_log_is_for_administrators_only(client, role, expected):
    accounts = {
        "researcher": UserFactory,
        "reviewer": ReviewerFactory,
        "staff": lambda: UserFactory(staff=True),
        "administrator": make_review_administrator,
        "superuser": lambda: UserFactory(superuser=True),
    }
    if role != "anonymous":
        _signed_in(client, accounts[role]())
    StatementFactory(text_en="We share our data.")

    response = client.get(AUDIT)

    assert response.status_code == expected
    shown = "We share our data." in response.content.decode()
    assert shown == (expected == 200)
    if expected == 302:
        assert response["Location"] == f"/admin/login/?next={AUDIT}"


def test_audit_log_link_on_the_admin_index_for_administrators_only(
    client, admin_client
):
    staff = UserFactory(staff=True)
    other = _signed_in(type(client)(), staff)

    assert reverse("admin:audit_log") in admin_client.get("/admin/").content.decode()
    assert reverse("admin:audit_log") not in other.get("/admin/").content.decode()


def test_audit_log_filters_by_model_and_pages(admin_client, monkeypatch):
    monkeypatch.setattr("config.audit.PER_PAGE", 2)
    opportunity = OpportunityFactory()
    CarrierFactory(opportunity=opportunity, name_en="Orbiter")
    StatementFactory(opportunity=opportunity, text_en="First")
    StatementFactory(opportunity=opportunity, text_en="Second")
    StatementFactory(opportunity=opportunity, text_en="Third")

    first = admin_client.get(AUDIT, {"model": "statement"}).content.decode()
    second = admin_client.get(AUDIT, {"model": "statement", "page": 2}).content.decode()

    assert ["Third" in row for row in _rows(first)] == [True, False]
    assert "Second" in _rows(first)[1]
    assert len(_rows(second)) == 1
    assert "First" in _rows(second)[0]
    assert "Orbiter" not in first + second
    assert "?model=statement&amp;page=2" in first


def _changed_carriers(count, actor):
    opportunity = OpportunityFactory()
    for index in range(count):
        carrier = Carrier(
            opportunity=opportunity, kind="lander", name_en=f"Lander {index}"
        )
        carrier._history_user = actor
        carrier.save()
        carrier.name_en = f"Rover {index}"
        carrier.save()


@pytest.mark.parametrize("item_count", [1, 3, 10])
def test_audit_log_queries_do_not_grow_with_its_lines(
    admin_client, administrator, django_assert_num_queries, item_count
):
    _changed_carriers(item_count, administrator)
    user = UserFactory()
    for _index in range(item_count):
        user.groups.add(Group.objects.create(name=f"Group {_index}"))

    # Session, account, authenticator, the Administrators check, the count and
    # the page's rows (one UNION), the permissions the admin's menu reads; then
    # per kind on the page: carriers 2 (lines, previous versions), users 4
    # (lines, previous versions, groups, permissions), groups 2 (lines,
    # permissions; created, so no previous versions). 16 whatever the length.
    with django_assert_num_queries(16):
        everything = admin_client.get(AUDIT)
    with django_assert_num_queries(10):
        carriers = admin_client.get(AUDIT, {"model": "carrier"})

    # each carrier created and renamed, each group created and given to the
    # user, the user's creation, and the administrator's creation and group
    assert len(_rows(everything.content.decode())) == 4 * item_count + 3
    assert len(_rows(carriers.content.decode())) == 2 * item_count


def test_audit_log_survives_a_deleted_call(admin_client):
    carrier = CarrierFactory(name_en="Lander")
    carrier.opportunity.delete()

    rows = _rows(admin_client.get(AUDIT, {"model": "carrier"}).content.decode())

    assert "Deleted" in rows[0]
    assert "Lander" in rows[0]
    assert "<a href" not in rows[0]  # nothing left to link to
