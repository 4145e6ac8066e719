"""The demo seed's accounts, roles and calls, read from one run of seed_demo
for the whole module (it takes seconds), rolled back afterwards; the tests
that run it themselves (twice, later, refused) are in test_seed.py."""

import io
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from catalogue.enums import OpportunityStatus
from catalogue.models import (
    Opportunity,
)
from tests.mfa import current_code

pytestmark = pytest.mark.django_db

from tests.catalogue.test_seed import (  # noqa: E402
    DEMO_EMAILS,
    NOT_OPEN_DEMOS,
    PASSWORD,
    SECRET,
)


def _run(command: str) -> str:
    out = io.StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def _call(slug: str) -> Opportunity:
    return Opportunity.objects.get(slug=slug)


@pytest.fixture(scope="module")
def demo_seeded(django_db_setup, django_db_blocker):
    """seed_demo once for the tests that only read what it made (it takes
    seconds); rolled back after the module. Yields its output."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = _run("seed_demo")
        yield output
        transaction.set_rollback(True)


def test_seed_demo_creates_the_five_accounts_with_the_shared_password(demo_seeded):
    output = demo_seeded

    users = {u.email: u for u in User.objects.filter(email__in=DEMO_EMAILS)}

    assert sorted(users) == sorted(DEMO_EMAILS)
    assert [users[e].check_password(PASSWORD) for e in DEMO_EMAILS] == [True] * 5
    assert "Password: ao-portal-demo-2026\n" in output
    assert "Authenticator secret: AOPORTALDEMOTOTPSECRETCNSAILRSXX\n" in output


def test_seed_demo_gives_roles_groups_and_verified_emails(demo_seeded):

    roles = {
        u.email: (
            u.is_staff,
            u.is_superuser,
            sorted(u.groups.values_list("name", flat=True)),
        )
        for u in User.objects.filter(email__in=DEMO_EMAILS)
    }
    verified = EmailAddress.objects.filter(
        email__in=DEMO_EMAILS, verified=True, primary=True
    ).count()

    assert roles == {
        "admin@example.org": (True, True, ["Administrators"]),
        "reviewer1@example.org": (False, False, ["Reviewers"]),
        "reviewer2@example.org": (False, False, ["Reviewers"]),
        "researcher1@example.org": (False, False, []),
        "researcher2@example.org": (False, False, []),
    }
    assert verified == 5


def test_seed_demo_gives_staff_the_shared_totp_secret(demo_seeded):

    authenticators = Authenticator.objects.filter(type=Authenticator.Type.TOTP)

    assert sorted(a.user.email for a in authenticators) == [
        "admin@example.org",
        "reviewer1@example.org",
        "reviewer2@example.org",
    ]
    assert {decrypt(a.data["secret"]) for a in authenticators} == {SECRET}
    assert TOTP(authenticators[0]).validate_code(current_code(SECRET)) is True


def test_seed_demo_opens_demo_calls_now_with_one_loi_stage(demo_seeded):

    # The fifth demonstration call is the one in review (reviews/seed.py); two
    # more are decided, with payloads after selection (payloads/seed/).
    demos = list(
        Opportunity.objects.filter(is_demo=True).exclude(slug__in=NOT_OPEN_DEMOS)
    )
    with_loi = [call.slug for call in demos if call.has_loi_stage]
    css = _call("demo-china-space-station-experiments")

    assert len(demos) == 4
    assert [call.is_open for call in demos] == [True] * 4
    assert {call.status for call in demos} == {OpportunityStatus.PUBLISHED}
    assert with_loi == ["demo-china-space-station-experiments"]
    assert timezone.now() < css.loi_deadline
    assert css.shortlist_date > timezone.localtime(css.loi_deadline).date()


def test_seed_demo_calls_carry_envelopes_documents_and_contacts(demo_seeded):

    ce7 = _call("demo-chang-e-7-payloads")
    carriers = {c.kind: c for c in ce7.carriers.all()}
    documents = list(ce7.required_documents.values_list("name_en", "page_limit"))

    assert ce7.resource_policy == "block"
    assert (
        carriers["lander"].total_mass_kg,
        carriers["lander"].max_payload_mass_kg,
    ) == (
        Decimal(10),
        Decimal(5),
    )
    assert carriers["orbiter"].power_w is not None
    assert carriers["orbiter"].data_mb_per_day is not None
    assert documents == [
        ("Full proposal", 20),
        ("Technical annex", 15),
        ("Endorsement letter from the national space agency", 2),
    ]
    assert list(ce7.contacts.values_list("email", flat=True)) == ["contact@example.org"]
