"""What every page gets: an icon (and /favicon.ico), a description, and compressed responses."""
import gzip
import re

import brotli
import pytest

from tests.factories import make_trainee, make_user
from tracker.extensions import db

GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def admin(app, auth):
    make_user("admin", email="admin@example.com")
    db.session.commit()
    auth.login("admin@example.com")


def test_favicon_ico_is_an_icon_without_signing_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype in {"image/vnd.microsoft.icon", "image/x-icon"}
    assert response.data[:4] == b"\x00\x00\x01\x00"  # the ICO header


@pytest.mark.parametrize("signed_in, path", [(False, "/login"), (True, "/trainees/")])
def test_each_page_links_its_icon_and_describes_the_site(request, client, signed_in, path):
    if signed_in:
        request.getfixturevalue("admin")
    html = client.get(path).get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert icon and client.get(icon.group(1)).mimetype == "image/svg+xml"
    description = re.search(r'<meta name="description" content="([^"]+)">', html)
    assert description and "Rotation tracker" in description.group(1)


def test_a_page_is_gzipped_for_a_client_that_accepts_it(client):
    plain = client.get("/login")
    compressed = client.get("/login", headers=GZIP)
    assert "Content-Encoding" not in plain.headers
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed.headers["Vary"]
    assert len(compressed.data) < len(plain.data)
    assert b'<form method="post"' in gzip.decompress(compressed.data)


def test_stylesheets_are_compressed(client):
    response = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Content-Encoding"] == "br"
    assert b".site-header" in brotli.decompress(response.data)


def test_csv_exports_are_compressed(client, admin):
    supervisor = make_user("supervisor", email="maria@example.com", password=None)
    for number in range(12):
        make_trainee(supervisor=supervisor, email=f"trainee{number}@example.com", password=None)
    db.session.commit()
    response = client.get("/admin/imports/trainees.csv", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data).decode().startswith("email,name,supervisor_email,start_date,cohort")
