"""Small helpers shared by the account tests: read links out of sent emails."""

import re
from urllib.parse import urlsplit

LINK = re.compile(r"https?://[^\s]+")


def link_in(body: str, contains: str) -> str:
    """The path of the one link in `body` that contains `contains`."""
    links = [link for link in LINK.findall(body) if contains in link]
    assert len(links) == 1, links
    return urlsplit(links[0]).path


def sign_in(client, email: str, password: str, **extra):
    return client.post(
        "/accounts/login/", {"login": email, "password": password, **extra}
    )
