"""One page size (PAGE_SIZE) for every paginated list, through one helper."""
import pytest
from sqlalchemy import insert, select

from tests.factories import make_trainee, make_user
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.extensions import db
from tracker.mail.models import OutboundMail
from tracker.web.pagination import paginate


def test_the_page_size_is_one_setting_and_a_query_string_cannot_change_it(app):
    for _ in range(5):
        make_user()
    app.config["PAGE_SIZE"] = 2
    with app.test_request_context("/?page=3&per_page=100"):
        page = paginate(select(User).order_by(User.id))
    assert (page.page, page.per_page, page.pages, len(page.items)) == (3, 2, 3, 1)
    with app.test_request_context("/?page=oops"):
        assert paginate(select(User).order_by(User.id)).page == 1


def test_the_default_page_size_is_25(app):
    assert app.config["PAGE_SIZE"] == 25


@pytest.mark.parametrize("path", ["/trainees/", "/admin/users/", "/admin/audit/", "/admin/mail/"])
def test_every_list_pages_by_the_one_setting(app, client, auth, path):
    admin = make_user("admin", email="admin@example.com")
    trainees = [make_trainee() for _ in range(5)]  # 5 trainees, 11 users with the admin and supervisors
    for index, trainee in enumerate(trainees):
        db.session.add(AuditEvent(action="create", entity_type="trainees", entity_id=trainee.id, trainee_id=trainee.id))
        db.session.execute(insert(OutboundMail).values(
            kind="digest", recipient_id=trainee.supervisor_id, address="someone@example.com", iso_week=f"2026-W{10 + index}",
            status="pending", attempts=0, message_id=f"<{index}@tracker.test>", subject="", body_text="", body_html="",
        ))
    db.session.commit()
    auth.login(admin.email)
    app.config["PAGE_SIZE"] = 2
    expected = {"/trainees/": 3, "/admin/users/": 6, "/admin/audit/": 3, "/admin/mail/": 3}[path]
    assert f"Page 1 of {expected}" in client.get(path).get_data(as_text=True)
