"""Turn on TOTP for a test user, and sign a client in past the second factor."""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value

DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enable_totp(user, secret: str = DEMO_TOTP_SECRET) -> Authenticator:
    return TOTP.activate(user, secret).instance


def current_code(secret: str = DEMO_TOTP_SECRET) -> str:
    import time  # noqa: PLC0415

    from allauth.mfa import app_settings  # noqa: PLC0415

    counter = int(time.time()) // app_settings.TOTP_PERIOD
    return f"{hotp_value(secret, counter):0{app_settings.TOTP_DIGITS}d}"


__all__ = ["current_code", "enable_totp", "generate_totp_secret"]


def login_with_mfa(client, user) -> None:
    """Sign in as a user whose session has passed two-factor authentication."""
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": 0, "email": user.email},
        {"method": "mfa", "at": 0, "type": "totp", "id": 1},
    ]
    session.save()
