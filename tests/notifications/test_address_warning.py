"""A researcher whose address bounces is told so on their own pages."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from notifications import selectors
from notifications.models import FlaggedAddress, FlagReason
from notifications.selectors import FLAG_GENERATION_KEY, kept_address_flag
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


def test_kept_answer_follows_a_new_flag_and_its_removal(
    client, db, django_capture_on_commit_callbacks
):
    user = UserFactory(email="wang.fang@institute.ac.cn")
    client.force_login(user)
    assert "Our emails are not reaching you." not in client.get("/proposals/").text

    with django_capture_on_commit_callbacks(execute=True):
        flag = flag_address(email=user.email, reason=FlagReason.BOUNCED, detail="")
    flagged = client.get("/proposals/").text
    with django_capture_on_commit_callbacks(execute=True):
        flag.delete()
    cleared = client.get("/proposals/").text

    assert "Our emails are not reaching you." in flagged
    assert "Our emails are not reaching you." not in cleared


def test_kept_answer_is_read_once_until_a_flag_changes(db, django_assert_num_queries):
    flag_address(email="zhao.lei@example.org", reason=FlagReason.COMPLAINED, detail="")

    with django_assert_num_queries(1):
        first = kept_address_flag(email="Zhao.Lei@example.org")
    with django_assert_num_queries(0):
        again = kept_address_flag(email="zhao.lei@example.org")

    assert (first.email, first.reason) == ("zhao.lei@example.org", "complained")
    assert (again.email, again.reason, again.last_flagged_at) == (
        first.email,
        first.reason,
        first.last_flagged_at,
    )


def test_answer_read_while_a_flag_changes_is_never_served(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    """A flag is written and committed while a visit reads the address: the
    answer that visit keeps (no flag) is kept under the generation it read
    before, which the write moved on, so it is never served."""
    email = "chen.jing@example.org"
    read = selectors.address_flag

    def read_then_a_write_commits(*, email):
        answer = read(email=email)
        with django_capture_on_commit_callbacks(execute=True):
            flag_address(email=email, reason=FlagReason.BOUNCED, detail="")
        return answer

    monkeypatch.setattr(selectors, "address_flag", read_then_a_write_commits)
    assert kept_address_flag(email=email) is None  # what that visit read
    monkeypatch.setattr(selectors, "address_flag", read)

    assert kept_address_flag(email=email).reason == "bounced"


def test_lost_generation_never_matches_an_answer_kept_before(db):
    email = "liu.yang@example.org"
    assert kept_address_flag(email=email) is None
    FlaggedAddress.objects.create(
        email=email, reason=FlagReason.BOUNCED, last_flagged_at=timezone.now()
    )  # as a write that sends no signal would, then the cache loses the counter
    cache.delete(FLAG_GENERATION_KEY)

    assert kept_address_flag(email=email).reason == "bounced"
