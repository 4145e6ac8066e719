"""Reads about accounts: the security summary of a profile, the admin's user list."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import User


@dataclass(frozen=True)
class AccountSecurity:
    totp_enabled: bool
    recovery_codes_left: int
    email_addresses: list[EmailAddress]

    @property
    def primary_verified(self) -> bool:
        return any(a.primary and a.verified for a in self.email_addresses)


def account_security(*, user: User) -> AccountSecurity:
    """Two-factor status and email addresses shown on the profile page (2 queries)."""
    authenticators = {a.type: a for a in Authenticator.objects.filter(user=user)}
    recovery = authenticators.get(Authenticator.Type.RECOVERY_CODES)
    recovery_left = len(recovery.wrap().get_unused_codes()) if recovery else 0
    return AccountSecurity(
        totp_enabled=Authenticator.Type.TOTP in authenticators,
        recovery_codes_left=recovery_left,
        email_addresses=list(
            EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ),
    )


def users_for_admin() -> QuerySet[User]:
    """Every user, with whether an authenticator app protects the account."""
    return User.objects.annotate(
        has_totp=Exists(
            Authenticator.objects.filter(
                user=OuterRef("pk"), type=Authenticator.Type.TOTP
            )
        )
    )
