import pytest

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _english(settings):
    """Every test starts in English; a test that wants Chinese asks for it."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits and used TOTP codes live in the cache: each test starts clean."""
    from django.core.cache import cache  # noqa: PLC0415

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def researcher(db):
    return UserFactory()


@pytest.fixture
def admin_user(db):
    """A superuser with two-factor authentication turned on (see tests/mfa.py)."""
    from tests.mfa import enable_totp  # noqa: PLC0415

    user = UserFactory(superuser=True, email="admin@cnsa.example.org")
    enable_totp(user)
    return user
