"""The digest as a person sees it in Chromium: the preview page with the mail in its frame, and unsubscribing."""
import os

import pytest

from tests.conftest import sign_in
from tests.digest_support import hash_each_password_once, make_programme  # noqa: F401  (fixtures)
from tracker.auth.models import User
from tracker.digest.tokens import unsubscribe_token
from tracker.extensions import db

pytestmark = pytest.mark.browser


def screenshot_path(tmp_path, name: str) -> str:
    """Where to keep a screenshot: DIGEST_SCREENSHOTS if set (to look at them), else the test's temp folder."""
    return os.path.join(os.environ.get("DIGEST_SCREENSHOTS") or str(tmp_path), name)


@pytest.mark.sqlite_only  # pages read, nothing changed: the same on any database
def test_a_supervisor_reads_their_digest_preview_without_policy_violations(app, page, tmp_path):
    programme = make_programme()
    db.session.commit()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    sign_in(page, "maria@example.com")
    page.get_by_role("heading", name="What needs you today").wait_for()  # a supervisor's home
    page.get_by_role("link", name="Digest").click()
    page.fill("input[name=week]", "2026-W48")
    page.get_by_role("button", name="Show").click()
    assert page.locator("h1").inner_text() == "Digest preview"
    mail = page.frame_locator("iframe.mail-frame")
    link = mail.get_by_role("link", name="Amelia Hughes")
    assert link.is_visible()
    assert link.get_attribute("href") == f"http://tracker.test/trainees/{programme.amelia.id}"
    assert mail.get_by_role("heading", name="Newly ready (1)").is_visible()
    assert mail.get_by_text("Chloe Martin").count() == 0
    # The frame's inline styles apply (its own policy allows them): the header bar is dark blue.
    header_colour = mail.locator("h1").evaluate("heading => getComputedStyle(heading.closest('td')).backgroundColor")
    assert header_colour == "rgb(11, 37, 69)"
    assert [p for p in problems if "Content Security Policy" in p] == []
    page.screenshot(path=screenshot_path(tmp_path, "digest-preview.png"), full_page=True)


def test_unsubscribing_from_the_link_in_the_mail(app, page, tmp_path):
    programme = make_programme()
    db.session.commit()
    page.goto(f"/digest/unsubscribe/{unsubscribe_token(programme.maria.id)}")
    assert page.locator("h1").inner_text() == "Stop the weekly digest?"
    page.get_by_role("button", name="Unsubscribe").click()
    assert page.get_by_role("status").inner_text() == "maria@example.com will no longer get the weekly readiness digest."
    db.session.expire_all()
    assert db.session.get(User, programme.maria.id).digest_subscribed is False
    page.screenshot(path=screenshot_path(tmp_path, "digest-unsubscribed.png"), full_page=True)
