"""The forecast shown: the trainee's page and /me, the board's "Ready soon", and the digest's "ready within 4 weeks"."""
from datetime import date, timedelta

import pytest

from tests.digest_support import hash_each_password_once  # noqa: F401  (fixture)
from tests.factories import make_job_type, make_module, make_role, make_rotation, make_trainee, make_user
from tracker.core.weeks import parse_week
from tracker.digest.content import build_digests
from tracker.digest.rendering import render_digest
from tracker.extensions import db
from tracker.readiness import rules

TODAY = date(2025, 6, 30)  # the clock fixture's day, a Monday


def d(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def test_forecast_sentences():
    evaluation = rules.Evaluation("r", False, rules.ZERO, ())
    assert rules.forecast_sentence(rules.Forecast("r", date(2027, 3, 14), (), evaluation)) == "ready on 14 Mar 2027 on the current plan"
    missing = ("needs 2.3 more weeks in Procurement desk", "needs Audit Fundamentals at 70 or more, best valid score 62")
    assert rules.forecast_sentence(rules.Forecast("r", None, missing, evaluation)) == (
        "not on the current plan: still needs 2.3 more weeks in Procurement desk; "
        "Audit Fundamentals at 70 or more, best valid score 62"
    )


@pytest.fixture
def plan(app, clock):
    """Amy is ready for strategy when her planned warehouse rotation ends in 4 weeks; Bo never is (no audit module);
    Cy is ready for strategy in 10 weeks."""
    maria = make_user("supervisor", email="maria@example.com", name="Maria Lopez")
    warehouse = make_job_type("warehouse", "Warehouse operations")
    fundamentals = make_module("fundamentals", "Audit Fundamentals")
    make_role("strategy", rotations=[(warehouse, 8, None)]).name = "Operations strategy"
    make_role("audit", rotations=[(warehouse, 4, None)], modules=[(fundamentals, 70)]).name = "Internal auditing"
    amy = make_trainee(supervisor=maria, email="amy@example.com", name="Amy Adams")
    make_rotation(amy, warehouse, d(-28), d(-1), 4)
    make_rotation(amy, warehouse, d(1), d(28))
    cy = make_trainee(supervisor=maria, email="cy@example.com", name="Cy Cole")
    make_rotation(cy, warehouse, d(14), d(69))
    db.session.commit()
    return {"amy": amy, "cy": cy}


def test_the_trainee_sees_the_forecast_per_role_on_their_page(client, auth, plan):
    plan["amy"].user.password_hash = make_user("trainee").password_hash
    db.session.commit()
    auth.login("amy@example.com")
    page = client.get("/me", follow_redirects=True).get_data(as_text=True)
    assert "Forecast: ready on 28 Jul 2025 on the current plan." in page
    assert "Forecast: not on the current plan: still needs Audit Fundamentals at 70 or more, no valid result." in page


def test_the_board_lists_who_is_ready_within_eight_weeks(client, auth, plan):
    auth.login("maria@example.com")
    board = client.get("/readiness/").get_data(as_text=True)
    strategy = board.split('id="board-strategy"')[1].split("</section>")[0]
    soon = strategy.split("<h3>Ready soon</h3>")[1]
    assert "Amy Adams" in soon and "28 Jul 2025" in soon
    assert "Cy Cole" not in soon  # ten weeks away
    audit = board.split('id="board-audit"')[1].split("</section>")[0]
    assert "Nobody is forecast ready for this role within eight weeks" in audit


def test_the_digest_lists_trainees_forecast_ready_within_four_weeks(app, plan):
    week = parse_week("2025-W27")  # Monday 30 June 2025
    digest = next(dg for dg in build_digests(week) if dg.recipient.email == "maria@example.com")
    assert [(item.trainee.name, item.role_name, item.ready_on) for item in digest.sections.ready_soon] == [
        ("Amy Adams", "Operations strategy", d(28)),
    ]
    rendered = render_digest(digest)
    assert "READY WITHIN 4 WEEKS ON THE CURRENT PLAN (1)" in rendered.text
    assert "Amy Adams: Operations strategy, forecast ready on" in rendered.text
    assert "Ready within 4 weeks on the current plan" in rendered.html
