"""Turn on TOTP for a test user, and sign a client in past the second factor."""

import time

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value

DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

__all__ = [
    "DEMO_TOTP_SECRET",
    "current_code",
    "enable_totp",
    "generate_totp_secret",
    "login_with_mfa",
]


def enable_totp(
    user, secret: str = DEMO_TOTP_SECRET, *, recovery_codes: bool = False
) -> Authenticator:
    """Activate an authenticator app for `user` (and recovery codes if asked)."""
    authenticator = TOTP.activate(user, secret).instance
    if recovery_codes:
        RecoveryCodes.activate(user)
    return authenticator


def current_code(secret: str = DEMO_TOTP_SECRET) -> str:
    """The code an authenticator app shows now for `secret`.

    allauth accepts each code once per user (tests/conftest.py empties the cache
    that remembers used codes before every test).
    """
    counter = int(time.time()) // app_settings.TOTP_PERIOD
    return f"{hotp_value(secret, counter):0{app_settings.TOTP_DIGITS}d}"


def login_with_mfa(client, user, *, reauthenticated: bool = False) -> None:
    """Sign in as a user whose session has just passed both factors.

    The session holds allauth's authentication records as a real sign-in
    leaves them. allauth asks again for the password (or a code) before any
    change to two-factor settings unless `reauthenticated=True`.
    """
    client.force_login(user)
    authenticator = Authenticator.objects.filter(
        user=user, type=Authenticator.Type.TOTP
    ).first()
    now = time.time()
    password = {"method": "password", "at": now, "email": user.email}
    if reauthenticated:
        password["reauthenticated"] = True
    records = [password]
    if authenticator is not None:
        records.append(
            {"method": "mfa", "at": now, "type": "totp", "id": authenticator.pk}
        )
    session = client.session
    session["account_authentication_methods"] = records
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
