"""Writes on a user's own account."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import User

PROFILE_FIELDS = ("full_name", "institution", "country", "orcid", "preferred_language")


@transaction.atomic
def update_profile(
    *,
    user: User,
    actor: User,
    full_name: str,
    institution: str,
    country: str,
    orcid: str,
    preferred_language: str,
) -> User:
    """Save the profile a person edits on their own page; nobody else's."""
    if actor.pk != user.pk:
        raise PermissionDenied
    user.full_name = full_name.strip()
    user.institution = institution.strip()
    user.country = country
    user.orcid = orcid
    user.preferred_language = preferred_language
    user.clean_fields(exclude=["password", "email", "last_login"])
    user.save(update_fields=PROFILE_FIELDS)
    return user
