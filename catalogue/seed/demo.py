"""Demonstration data: accounts that share one password (here), and open calls
whose dates follow today (demo_calls.py). Refused where
settings.DEMO_SEED_ALLOWED is False.

`DEMO_STEPS` lists, as dotted paths, the functions `seed_demo` runs in order;
each takes no argument and returns the lines to print. Another app adds its own
demonstration data by appending its step (e.g. demo proposals), without the
catalogue importing it.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from catalogue.seed.loading import catalogue_is_loaded, seed_catalogue
from catalogue.seed.upsert import SeedReport, sync_row
from config.refusals import Refused

DEMO_PASSWORD = "ao-portal-demo-2026"  # noqa: S105 — published in the README on purpose
DEMO_TOTP_SECRET = "AOPORTALDEMOTOTPSECRETCNSAILRSXX"  # noqa: S105 — idem
REVIEWERS_GROUP = "Reviewers"
ADMINISTRATORS_GROUP = "Administrators"

DEMO_STEPS: list[str] = [
    "catalogue.seed.demo.ensure_catalogue",
    "catalogue.seed.demo.seed_demo_accounts",
    "catalogue.seed.demo_calls.seed_demo_calls",
    "proposals.seed.seed_demo_proposals",
    "reviews.seed.seed_demo_review",
    "catalogue.seed.ao_documents.seed_call_summaries",
    "payloads.seed.demo.seed_demo_payloads",
]

DEMO_ACCOUNTS: list[dict] = [
    {
        "email": "admin@example.org",
        "full_name": "WANG Lei",
        "institution": "Department of International Cooperation, CNSA (demo account)",
        "country": "CN",
        "is_staff": True,
        "is_superuser": True,
        "groups": [ADMINISTRATORS_GROUP],
        "role": "administrator",
    },
    {
        "email": "reviewer1@example.org",
        "full_name": "Dr. Eva Jansen",
        "institution": "ESA ESTEC",
        "country": "NL",
        "is_staff": False,
        "is_superuser": False,
        "groups": [REVIEWERS_GROUP],
        "role": "reviewer",
    },
    {
        "email": "reviewer2@example.org",
        "full_name": "Prof. Lukas Meier",
        "institution": "University of Bern",
        "country": "CH",
        "is_staff": False,
        "is_superuser": False,
        "groups": [REVIEWERS_GROUP],
        "role": "reviewer",
    },
    {
        "email": "researcher1@example.org",
        "full_name": "Dr. Camille Laurent",
        "institution": "Université Paris Cité",
        "country": "FR",
        "is_staff": False,
        "is_superuser": False,
        "groups": [],
        "role": "researcher",
    },
    {
        "email": "researcher2@example.org",
        "full_name": "Dr. Javier Rojas",
        "institution": "Universidad de Chile",
        "country": "CL",
        "is_staff": False,
        "is_superuser": False,
        "groups": [],
        "role": "researcher",
    },
]


class DemoSeedNotAllowed(Refused):
    pass


# --- accounts -------------------------------------------------------------------


def _activate_totp(user, secret: str) -> None:
    """Give `user` the TOTP authenticator `secret`, replacing any other one."""
    existing = Authenticator.objects.filter(
        user=user, type=Authenticator.Type.TOTP
    ).first()
    if existing is not None and decrypt(existing.data["secret"]) == secret:
        return
    if existing is not None:
        existing.delete()
    TOTP.activate(user, secret)


def sync_account(account: dict, *, report: SeedReport):
    user_model = get_user_model()
    values = {
        "full_name": account["full_name"],
        "institution": account["institution"],
        "country": account["country"],
        "is_staff": account["is_staff"],
        "is_superuser": account["is_superuser"],
        "is_active": True,
        "preferred_language": "en",
    }
    user = sync_row(
        user_model, lookup={"email": account["email"]}, values=values, report=report
    )
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    sync_row(
        EmailAddress,
        lookup={"user": user, "email": account["email"]},
        values={"verified": True, "primary": True},
        report=report,
    )
    for name in account["groups"]:
        group, _created = Group.objects.get_or_create(name=name)
        user.groups.add(group)
    # Both admin sites ask for an authenticator code: staff (/admin/) and
    # reviewers (/review/) get the shared one.
    if account["is_staff"] or REVIEWERS_GROUP in account["groups"]:
        _activate_totp(user, DEMO_TOTP_SECRET)
    return user


def seed_demo_accounts() -> list[str]:
    """The five demonstration accounts; staff and reviewers get the shared
    authenticator."""
    report = SeedReport()
    roles = {
        "administrator": _("administrator (superuser, Administrators group)"),
        "reviewer": _("reviewer (Reviewers group, reviewers' site /review/)"),
        "researcher": _("researcher"),
    }
    lines = [_("Demo accounts:")]
    for account in DEMO_ACCOUNTS:
        user = sync_account(account, report=report)
        lines.append(
            _("  %(email)s — %(role)s, %(institution)s (%(country)s)")
            % {
                "email": user.email,
                "role": roles[account["role"]],
                "institution": user.institution,
                "country": user.country.code,
            }
        )
    lines.append(_("Password: %(password)s") % {"password": DEMO_PASSWORD})
    lines.append(_("Authenticator secret: %(secret)s") % {"secret": DEMO_TOTP_SECRET})
    return lines


# --- the steps ------------------------------------------------------------------


def ensure_catalogue() -> list[str]:
    """Load the catalogue seed if its missions are missing."""
    if catalogue_is_loaded():
        return []
    return [_("Catalogue seed loaded:"), *seed_catalogue().lines()]


@transaction.atomic
def seed_demo() -> list[str]:
    """Run every step of DEMO_STEPS; refuse where demo data is not allowed."""
    if not settings.DEMO_SEED_ALLOWED:
        raise DemoSeedNotAllowed(
            _("Demo data is not allowed here (DEMO_SEED_ALLOWED is False).")
        )
    lines = []
    for path in DEMO_STEPS:
        lines += import_string(path)()
    return lines
