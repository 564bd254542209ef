"""Digest pages: preview, digests on the Mail page and retry for admins, one-click unsubscribe, the settings page."""
import re

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from tests.conftest import csrf_token_from, post_form
from tests.digest_support import WEEK, hash_each_password_once, make_programme, smtp_server  # noqa: F401  (fixtures)
from tests.factories import make_trainee
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.digest import services
from tracker.digest.tokens import unsubscribe_token
from tracker.extensions import db
from tracker.mail.models import OutboundMail


@pytest.fixture
def programme(app):
    made = make_programme()
    db.session.commit()
    return made


def preview_path(supervisor=None, week=WEEK):
    return f"/digest/preview?week={week}" + (f"&supervisor={supervisor}" if supervisor else "")


# --- access ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/digest/preview", "/digest/preview/message.html", "/admin/mail/", "/admin/mail/1", "/admin/mail/1/message.html",
    "/settings",
])
def test_digest_pages_need_a_signed_in_user(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("old, new", [
    ("/digest/deliveries", "/admin/mail/?kind=digest"),
    ("/digest/deliveries?week=2026-W48&status=failed", "/admin/mail/?kind=digest&week=2026-W48&status=failed"),
    ("/digest/deliveries/7", "/admin/mail/7"),
    ("/digest/deliveries/7/message.html", "/admin/mail/7/message.html"),
])
def test_the_old_deliveries_addresses_lead_to_the_mail_pages(client, old, new):
    response = client.get(old)
    assert response.status_code == 308 and response.headers["Location"] == new


def test_a_retry_posted_to_the_old_address_stays_a_post_and_retries(client, auth, programme, smtp_server):
    smtp_server.handler.replies["david@example.com"] = "550 5.1.1 No such user"
    services.send_week(WEEK)
    failed = db.session.scalar(select(OutboundMail).where(OutboundMail.status == "failed"))
    del smtp_server.handler.replies["david@example.com"]
    auth.login("ada.admin@example.com")
    token = csrf_token_from(client.get("/admin/mail/"))
    moved = client.post(f"/digest/deliveries/{failed.id}/retry", data={"csrf_token": token})
    assert moved.status_code == 308 and moved.headers["Location"] == f"/admin/mail/{failed.id}/retry"
    # A browser sends the same POST, body and all, to the new address (308 says so).
    followed = client.post(moved.headers["Location"], data={"csrf_token": token}, follow_redirects=True)
    assert "The digest was sent." in followed.get_data(as_text=True)
    assert len(smtp_server.handler.to("david@example.com")) == 1


@pytest.mark.parametrize("path", ["/digest/preview", "/admin/mail/"])  # /settings: trainees get it too (calendar feed)
def test_trainees_may_not_open_digest_pages(client, auth, path):
    make_trainee(email="tina@example.com")
    db.session.commit()
    auth.login("tina@example.com")
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/admin/mail/", "/admin/mail/1", "/admin/mail/1/message.html"])
def test_supervisors_may_not_open_the_mail_pages(client, auth, programme, path):
    auth.login("maria@example.com")
    assert client.get(path).status_code == 403


# --- preview --------------------------------------------------------------------------------------

def test_a_supervisor_previews_their_coming_digest(client, auth, programme):
    auth.login("maria@example.com")
    page = client.get(preview_path()).get_data(as_text=True)
    assert "Readiness digest, week 2026-W48 (from Mon 23 Nov 2026): 1 newly ready" in page
    assert 'class="errors"' not in page
    assert "Amelia Hughes" in page and "Chloe" not in page
    assert f'src="/digest/preview/message.html?week=2026-W48&amp;supervisor={programme.maria.id}"' in page
    frame = client.get(f"/digest/preview/message.html?week=2026-W48&supervisor={programme.maria.id}")
    assert frame.status_code == 200 and "Amelia Hughes" in frame.get_data(as_text=True)


def test_the_default_preview_is_the_coming_week(client, auth, programme, monkeypatch):
    from datetime import date

    monkeypatch.setattr("tracker.digest.routes.today", lambda: date(2026, 11, 18))
    auth.login("maria@example.com")
    assert "week 2026-W48 (from Mon 23 Nov 2026)" in client.get("/digest/preview").get_data(as_text=True)


def test_a_supervisor_may_not_preview_another_supervisors_digest(client, auth, programme):
    auth.login("maria@example.com")
    assert client.get(preview_path(programme.david.id)).status_code == 403
    assert client.get(f"/digest/preview/message.html?supervisor={programme.david.id}").status_code == 403


def test_an_admin_previews_any_supervisor_and_their_own_summary(client, auth, programme):
    auth.login("ada.admin@example.com")
    david = client.get(preview_path(programme.david.id)).get_data(as_text=True)
    assert "Chloe Martin" in david and "Amelia" not in david
    own = client.get(preview_path()).get_data(as_text=True)
    assert "Programme readiness, week 2026-W48" in own and "BY SUPERVISOR" in own
    idle = client.get(preview_path(programme.idle_supervisor.id)).get_data(as_text=True)
    assert "Ivan Idle gets no digest for week 2026-W48" in idle


def test_a_bad_preview_week_is_shown_as_an_error_and_the_coming_week_used(client, auth, programme):
    auth.login("maria@example.com")
    page = client.get("/digest/preview?week=2025-W53").get_data(as_text=True)
    assert "2025 has no ISO week 53" in page and "Readiness digest, week" in page


def test_the_mail_frame_allows_inline_styles_and_nothing_else(client, auth, programme):
    auth.login("maria@example.com")
    response = client.get("/digest/preview/message.html?week=2026-W48")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "style-src 'unsafe-inline'" in policy and "script" not in policy
    assert "frame-ancestors 'self'" in policy and response.headers["X-Frame-Options"] == "SAMEORIGIN"
    page = client.get(preview_path())
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]  # the page itself keeps the strict one
    assert 'style="' not in page.get_data(as_text=True)


# --- digests on the Mail page, and retry ---------------------------------------------------------

def test_admins_see_each_digest_with_status_attempts_and_error(client, auth, programme, smtp_server):
    smtp_server.handler.replies["david@example.com"] = "550 5.1.1 No such user"
    services.send_week(WEEK)
    auth.login("ada.admin@example.com")
    unfiltered = client.get("/admin/mail/").get_data(as_text=True)
    assert "3 messages" in unfiltered and 'class="errors"' not in unfiltered
    page = client.get("/admin/mail/?week=2026-W48&kind=digest").get_data(as_text=True)
    assert "3 messages" in page and "550 5.1.1 No such user" in page
    assert page.count('class="status status-sent"') == 2 and page.count('class="status status-failed"') == 1
    assert page.count("Retry<span") == 1
    failed_only = client.get("/admin/mail/?status=failed").get_data(as_text=True)
    assert "1 message." in failed_only and "David Chen" in failed_only
    assert "0 messages" in client.get("/admin/mail/?kind=invitation").get_data(as_text=True)
    bad_week = client.get("/admin/mail/?week=2026-W60").get_data(as_text=True)
    assert "2026 has no ISO week 60" in bad_week and "3 messages" in bad_week


def test_an_admin_retries_a_failed_digest(client, auth, programme, smtp_server):
    smtp_server.handler.replies["david@example.com"] = "550 5.1.1 No such user"
    services.send_week(WEEK)
    failed = db.session.scalar(select(OutboundMail).where(OutboundMail.status == "failed"))
    del smtp_server.handler.replies["david@example.com"]
    auth.login("ada.admin@example.com")
    response = post_form(client, "/admin/mail/", {}, post_path=f"/admin/mail/{failed.id}/retry", follow_redirects=True)
    assert "The digest was sent." in response.get_data(as_text=True)
    db.session.refresh(failed)
    assert failed.status == "sent" and failed.attempts == 1
    (message,) = smtp_server.handler.to("david@example.com")
    assert message["Message-ID"] == failed.message_id
    again = post_form(client, "/admin/mail/", {}, post_path=f"/admin/mail/{failed.id}/retry", follow_redirects=True)
    assert "Only a failed message can be retried." in again.get_data(as_text=True)
    assert len(smtp_server.handler.to("david@example.com")) == 1


def test_retry_needs_a_csrf_token(client, auth, programme, smtp_server):
    smtp_server.handler.replies["david@example.com"] = "550 5.1.1 No such user"
    services.send_week(WEEK)
    failed = db.session.scalar(select(OutboundMail).where(OutboundMail.status == "failed"))
    auth.login("ada.admin@example.com")
    assert client.post(f"/admin/mail/{failed.id}/retry").status_code == 400
    db.session.refresh(failed)
    assert failed.status == "failed"


def test_an_admin_sees_a_digest_as_recorded(client, auth, programme, smtp_server):
    services.send_week(WEEK)
    delivery = db.session.scalar(select(OutboundMail).where(OutboundMail.recipient_id == programme.maria.id))
    auth.login("ada.admin@example.com")
    page = client.get(f"/admin/mail/{delivery.id}").get_data(as_text=True)
    assert delivery.subject in page and "&lt;digest.2026-W48.user" in page and "Amelia Hughes" in page
    frame = client.get(f"/admin/mail/{delivery.id}/message.html")
    assert frame.get_data(as_text=True) == delivery.body_html
    assert "frame-ancestors 'self'" in frame.headers["Content-Security-Policy"]
    assert client.get("/admin/mail/999999").status_code == 404


# --- unsubscribe ----------------------------------------------------------------------------------

def test_get_on_the_unsubscribe_link_asks_and_changes_nothing(client, programme):
    token = unsubscribe_token(programme.maria.id)
    response = client.get(f"/digest/unsubscribe/{token}")
    assert response.status_code == 200
    assert "Stop the weekly digest?" in response.get_data(as_text=True)
    db.session.refresh(programme.maria)
    assert programme.maria.digest_subscribed is True


def test_one_click_post_unsubscribes_without_session_or_csrf_token(client, programme):
    token = unsubscribe_token(programme.maria.id)
    response = client.post(
        f"/digest/unsubscribe/{token}", data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and "Unsubscribed" in response.get_data(as_text=True)
    db.session.refresh(programme.maria)
    assert programme.maria.digest_subscribed is False
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "users", AuditEvent.action == "update"))
    assert event.actor_id == programme.maria.id
    assert (event.before["digest_subscribed"], event.after["digest_subscribed"]) == (True, False)
    again = client.post(f"/digest/unsubscribe/{token}", data="List-Unsubscribe=One-Click")
    assert again.status_code == 200  # a second click is harmless


def test_the_confirmation_button_unsubscribes_too(client, programme):
    token = unsubscribe_token(programme.david.id)
    page = client.get(f"/digest/unsubscribe/{token}").get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)"', page).group(1)
    assert client.post(action).status_code == 200
    assert db.session.get(User, programme.david.id).digest_subscribed is False


@pytest.mark.parametrize("make_token", [
    lambda app, user_id: unsubscribe_token(user_id)[:-2] + "xx",                                 # tampered signature
    lambda app, user_id: URLSafeSerializer(app.config["SECRET_KEY"]).dumps({"unsubscribe": user_id}),  # no salt
    lambda app, user_id: URLSafeSerializer("another key", salt="tracker.digest.unsubscribe").dumps({"unsubscribe": user_id}),
    lambda app, user_id: unsubscribe_token(999999),                                             # no such user
    lambda app, user_id: "not-a-token",
])
def test_a_token_that_is_not_ours_gets_404_and_changes_nothing(app, client, programme, make_token):
    token = make_token(app, programme.maria.id)
    assert client.get(f"/digest/unsubscribe/{token}").status_code == 404
    assert client.post(f"/digest/unsubscribe/{token}", data="List-Unsubscribe=One-Click").status_code == 404
    assert db.session.get(User, programme.maria.id).digest_subscribed is True


def test_unsubscribing_through_the_mail_s_own_header_is_honoured_next_week(client, programme, runner, smtp_server):
    assert runner.invoke(args=["digest", "send", "--week", "2026-W48"]).exit_code == 0
    (message,) = smtp_server.handler.to("maria@example.com")
    link = message["List-Unsubscribe"].strip("<>")
    assert link.startswith("http://tracker.test/digest/unsubscribe/")
    client.post(link.removeprefix("http://tracker.test"), data="List-Unsubscribe=One-Click")
    assert runner.invoke(args=["digest", "send", "--week", "2026-W49"]).exit_code == 0
    assert len(smtp_server.handler.to("maria@example.com")) == 1
    row = db.session.scalar(select(OutboundMail).where(OutboundMail.iso_week == "2026-W49", OutboundMail.recipient_id == programme.maria.id))
    assert (row.status, row.skip_reason) == ("skipped", "unsubscribed")


# --- settings -------------------------------------------------------------------------------------

def test_a_signed_in_user_turns_the_digest_off_and_on_again(client, auth, programme):
    auth.login("maria@example.com")
    page = client.get("/settings").get_data(as_text=True)
    assert 'name="digest_subscribed"' in page and "checked" in page
    off = post_form(client, "/settings", {}, follow_redirects=True)  # an unticked box is not sent at all
    assert "You will not get the weekly digest." in off.get_data(as_text=True)
    assert db.session.get(User, programme.maria.id).digest_subscribed is False
    on = post_form(client, "/settings", {"digest_subscribed": "y"}, follow_redirects=True)
    assert "You will get the weekly digest." in on.get_data(as_text=True)
    assert db.session.get(User, programme.maria.id).digest_subscribed is True


def test_the_settings_form_needs_its_csrf_token(client, auth, programme):
    auth.login("maria@example.com")
    assert client.post("/settings", data={}).status_code == 400
    assert db.session.get(User, programme.maria.id).digest_subscribed is True


def test_staff_see_links_to_the_digest_pages(client, auth, programme):
    auth.login("ada.admin@example.com")
    nav = client.get("/trainees/").get_data(as_text=True)
    assert 'href="/digest/preview"' in nav and '<a href="/admin/mail/">Mail</a>' in nav and 'href="/settings"' in nav
    auth.logout()
    auth.login("maria@example.com")
    nav = client.get("/trainees/").get_data(as_text=True)
    assert 'href="/digest/preview"' in nav and 'href="/settings"' in nav and 'href="/admin/mail/"' not in nav
