"""A researcher whose address bounces is told so on their own pages."""

import pytest

from notifications.models import FlagReason
from notifications.services import flag_address
from tests.factories import UserFactory


@pytest.mark.parametrize("path", ["/accounts/profile/", "/proposals/"])
def test_flagged_address_is_shown_to_its_owner(client, db, path):
    user = UserFactory(email="li.ming@university.edu.cn")
    flag_address(
        email="Li.Ming@university.edu.cn",
        reason=FlagReason.REFUSED,
        detail="550 5.7.1 Message rejected by policy",
    )
    client.force_login(user)

    html = client.get(path).content.decode()

    assert "Our emails are not reaching you." in html
    assert "Emails to li.ming@university.edu.cn did not arrive" in html
    assert "Refused by the mail server" in html


@pytest.mark.parametrize("path", ["/accounts/profile/", "/proposals/"])
def test_clean_address_shows_no_warning(client, db, path):
    flag_address(email="someone.else@example.org", reason=FlagReason.BOUNCED, detail="")
    client.force_login(UserFactory())

    html = client.get(path).content.decode()

    assert "Our emails are not reaching you." not in html
