import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.forms import normalise_orcid, orcid_check_digit
from accounts.services import update_profile
from tests.factories import UserFactory


def _profile(**overrides):
    return {
        "full_name": "Li Na",
        "institution": "Purple Mountain Observatory",
        "country": "CN",
        "orcid": "",
        "preferred_language": "zh-hans",
        **overrides,
    }


def test_update_profile_by_someone_else_is_refused(db):
    owner, other = UserFactory(), UserFactory()

    with pytest.raises(PermissionDenied):
        update_profile(user=owner, actor=other, **_profile())

    owner.refresh_from_db()
    assert owner.full_name != "Li Na"


def test_update_profile_rejects_a_malformed_orcid(db):
    user = UserFactory()

    with pytest.raises(ValidationError) as caught:
        update_profile(user=user, actor=user, **_profile(orcid="12345"))

    assert list(caught.value.message_dict) == ["orcid"]


def test_update_profile_saves_and_returns_the_user(db):
    user = UserFactory()

    saved = update_profile(user=user, actor=user, **_profile(full_name=" Li Na "))

    saved.refresh_from_db()
    assert (saved.full_name, saved.preferred_language) == ("Li Na", "zh-hans")


@pytest.mark.parametrize(
    ("base", "check"),
    [("000000021825009", "7"), ("000000021694233", "X"), ("000000015109370", "0")],
)
def test_orcid_check_digit_matches_published_examples(base, check):
    assert orcid_check_digit(base) == check


def test_normalise_orcid_accepts_the_address_form():
    assert normalise_orcid("http://www.orcid.org/0000-0002-1825-0097") == (
        "0000-0002-1825-0097"
    )
