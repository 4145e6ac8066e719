"""/favicon.ico is served (not 404) and every page links the SVG icon."""

import pytest
from django.contrib.staticfiles import finders


def test_favicon_ico_leads_to_the_static_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("favicon.ico")
    path = finders.find("favicon.ico")
    with open(path, "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file's header


@pytest.mark.django_db
def test_pages_link_the_svg_favicon(client):
    page = client.get("/").content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    svg = finders.find("favicon.svg")
    with open(svg, encoding="utf-8") as icon:
        assert icon.read().startswith("<svg")
