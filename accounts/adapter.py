"""allauth's account adapter, fitted to the portal.

- sign-up writes the researcher's profile on the new user;
- every account email (verification, password reset, notices) is rendered by
  allauth in the recipient's language and recorded in the notifications outbox,
  which a Celery task sends once the transaction commits;
- signing in switches the interface to the user's preferred language;
- the links in those emails (confirming an address, resetting a password…) are
  made absolute from settings.SITE_URL, like every other email's, not from the
  host the request came to (see accounts.site_url for local development);
- failed sign-ins are counted by accounts.lockout in the shared cache instead of
  allauth's own count: atomic across workers, per address, per account and
  address, and (looser) per account; a lock refuses the right password too,
  saying when to try again. Checking a signed-in person's password again
  (allauth's `reauthenticate`: account deletion, allauth's own forms) goes
  through the same counts.
"""

import uuid
from urllib.parse import urlsplit, urlunsplit

from allauth.account import app_settings as allauth_account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django import forms
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.translation import gettext

from accounts import lockout
from accounts.language import apply_language
from accounts.models import Language, User
from notifications.services import Recipient, queue_rendered_email

KEY_MAX_LENGTH = 255


def _recipient_user(email: str, context: dict) -> User | None:
    user = context.get("user")
    if isinstance(user, User) and user.pk:
        return user
    return User.objects.filter(email__iexact=email).first()


def _recipient_language(user: User | None) -> str:
    if user is not None and user.preferred_language:
        return user.preferred_language
    active = (translation.get_language() or "").lower()
    return Language.CHINESE if active.startswith("zh") else Language.ENGLISH


def _html_alternative(message) -> str:
    if isinstance(message, EmailMultiAlternatives):
        for content, mimetype in message.alternatives:
            if mimetype == "text/html":
                return content
    return ""


def site_absolute(url: str) -> str:
    """`url` (absolute, or a path) on settings.SITE_URL."""
    parts = urlsplit(url)
    return settings.SITE_URL + urlunsplit(
        ("", "", parts.path, parts.query, parts.fragment)
    )


def _on_site(context: dict) -> dict:
    """The context with every absolute link allauth put in it (activate_url,
    password_reset_url, signup_url…) moved onto settings.SITE_URL."""
    return {
        key: site_absolute(value)
        if key.endswith("_url")
        and isinstance(value, str)
        and value.startswith(("http://", "https://"))
        else value
        for key, value in context.items()
    }


def _login_failed_rates() -> list[lockout.Rate]:
    """allauth's login_failed rates (per address, per account and address) and
    the looser one per account from every address."""
    return [
        *lockout.parse_rates(
            (allauth_account_settings.RATE_LIMITS or {}).get("login_failed") or ""
        ),
        lockout.parse_rate(settings.AO_LOCKOUT_ACCOUNT_RATE, per=lockout.PER_ACCOUNT),
    ]


def _login_of(credentials: dict) -> str:
    return (credentials.get("email") or credentials.get("username") or "").lower()


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request, **credentials) -> None:
        """Reserve this attempt's place in the failed sign-in counts, or refuse
        it while the address or the account is locked (accounts.lockout)."""
        try:
            self._lockout_attempt = lockout.begin_attempt(
                rates=_login_failed_rates(),
                address=self.get_client_ip(request),
                account=_login_of(credentials),
            )
        except lockout.LockedOut as locked:
            # catalogue builds on accounts; imported here, where a lock is shown.
            from catalogue.templatetags.catalogue_tags import beijing  # noqa: PLC0415

            message = "{} {}".format(
                self.error_messages["too_many_login_attempts"],
                gettext("You may try again from %(moment)s.")
                % {"moment": beijing(locked.until)},
            )
            raise forms.ValidationError(
                message, code="too_many_login_attempts"
            ) from None

    def authenticate(self, request, **credentials):
        """allauth's, with the attempt counted as a failure or given back."""
        self._lockout_attempt = None
        user = super().authenticate(request, **credentials)
        if self._lockout_attempt is not None:
            if user:
                self._lockout_attempt.succeeded()
            else:
                self._lockout_attempt.failed()
        return user

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        """After a password reset: allauth's count and ours are cleared."""
        super()._delete_login_attempts_cached_email(request, **credentials)
        lockout.clear_account(
            rates=_login_failed_rates(),
            address=self.get_client_ip(request),
            account=_login_of(credentials),
        )

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return site_absolute(
            super().get_email_confirmation_url(request, emailconfirmation)
        )

    def get_reset_password_from_key_url(self, key: str) -> str:
        return site_absolute(super().get_reset_password_from_key_url(key))

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        profile_data = getattr(form, "profile_data", None)
        if profile_data is not None:
            for field, value in profile_data().items():
                setattr(user, field, value)
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's message as usual, then queue it in the outbox.

        Each call is a new event (a new link, a new code), so the outbox key
        carries a fresh UUID. The body holds a secret link: marked sensitive.
        """
        request = allauth_context.request
        user = _recipient_user(email, context)
        language = _recipient_language(user)
        full_context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            "site_url": settings.SITE_URL,
            **_on_site(context),
        }
        with translation.override(language):
            message = self.render_mail(template_prefix, email, full_context)
        key = f"{template_prefix}:{uuid.uuid4().hex}:{email.lower()}"
        queue_rendered_email(
            key=key[:KEY_MAX_LENGTH],
            recipient=Recipient(
                email=email,
                language=language,
                user_id=user.pk if user is not None else None,
            ),
            template=template_prefix,
            subject=message.subject,
            body_text=message.body,
            body_html=_html_alternative(message),
            sensitive=True,
        )

    def confirm_email(self, request, email_address):
        """Once an address is verified, the team places invited under it become
        the user's: a co-investigator invited before signing up can then open
        the draft."""
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            # proposals builds on accounts; imported here, where allauth calls in.
            from proposals.services import link_memberships  # noqa: PLC0415

            link_memberships(user=email_address.user, email=email_address.email)
        return confirmed

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        if user.preferred_language:
            apply_language(request, response, user.preferred_language)
        return response
