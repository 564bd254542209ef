"""The trainee page and /me: the timeline picture, results with validity, criteria with the trainee's figures,
the flag state first, a readable history; a fixed number of queries however many trainees there are."""
from datetime import date
from types import SimpleNamespace

import pytest

from tests.factories import make_job_type, make_module, make_result, make_role, make_rotation, make_trainee, make_user
from tests.query_counting import counted_queries
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.readiness.models import ReadinessFlag
from tracker.readiness.rules import Validity, validity
from tracker.trainees import timeline

TODAY = date(2025, 6, 30)


# --- pure parts ---------------------------------------------------------------


def rotation(name, start, end=None, rating=None):
    return SimpleNamespace(job_type=SimpleNamespace(name=name), start_date=start, end_date=end, rating=rating)


def test_the_timeline_has_a_lane_per_job_type_and_today_inside_the_plot():
    rotations = [
        rotation("Procurement desk", date(2025, 1, 6), date(2025, 3, 2), 4),
        rotation("Warehouse", date(2025, 3, 3), date(2025, 4, 27)),
        rotation("Procurement desk", date(2025, 5, 1)),
    ]
    picture = timeline.layout(rotations, TODAY, date(2025, 1, 6))
    assert [lane.name for lane in picture.lanes] == ["Procurement desk", "Warehouse"]
    first, second, ongoing = picture.bars
    assert first.y == ongoing.y != second.y
    assert first.x < second.x < ongoing.x < picture.today_x < picture.plot_right
    assert ongoing.ongoing and not first.ongoing and first.rating == 4
    assert abs(ongoing.x + ongoing.width - timeline.layout(rotations, TODAY).today_x) < 3
    assert first.text == "Procurement desk, 6 Jan 2025 to 2 Mar 2025 (8 weeks), rated 4 of 5"
    assert second.text.endswith("(8 weeks), not rated yet")
    assert ongoing.text == "Procurement desk, from 1 May 2025, ongoing (8 weeks so far)"
    assert picture.ticks[0].label == "Jan 2025" and picture.ticks[1].label == "Feb"
    assert timeline.layout([], TODAY) is None


@pytest.mark.parametrize("completed, months, state, until, days_left", [
    (date(2024, 12, 23), 24, "valid", date(2026, 12, 22), 540),
    (date(2024, 7, 15), 12, "lapsing", date(2025, 7, 14), 14),
    (date(2024, 6, 30), 12, "lapsed", date(2025, 6, 29), -1),
    (date(2024, 7, 1), 12, "lapsing", date(2025, 6, 30), 0),
    (date(2020, 1, 1), None, "lasting", None, None),
    (date(2025, 7, 1), 12, "future", date(2026, 6, 30), 365),
])
def test_validity(completed, months, state, until, days_left):
    assert validity(completed, months, TODAY) == Validity(state, until, days_left)


# --- the page -----------------------------------------------------------------


@pytest.fixture
def world(app, clock):
    supervisor = make_user("supervisor", email="sam@example.com", name="Sam Super")
    procurement, warehouse = make_job_type(name="Procurement desk"), make_job_type(name="Warehouse")
    fundamentals = make_module(name="Audit Fundamentals", valid_months=12)
    safety = make_module(name="Safety", valid_months=24)
    role = make_role("audit", min_total_weeks=30, min_distinct_job_types=4,
                     rotations=[(procurement, 8, 4)], modules=[(fundamentals, 70)])
    trainee = make_trainee(supervisor=supervisor, email="tina@example.com", name="Tina Trainee", start_date=date(2024, 9, 2))
    make_rotation(trainee, procurement, date(2024, 9, 2), date(2025, 1, 5), rating=4)  # 18 weeks
    make_rotation(trainee, warehouse, date(2025, 1, 6), date(2025, 5, 4), rating=3)  # 17 weeks
    make_rotation(trainee, procurement, date(2025, 5, 5))  # ongoing
    make_result(trainee, fundamentals, date(2024, 7, 15), 62)  # lapses mid-July
    make_result(trainee, safety, date(2023, 1, 10), 90)  # lapsed
    db.session.commit()
    return SimpleNamespace(trainee=trainee, role=role, supervisor=supervisor)


def test_a_trainee_sees_their_timeline_validity_and_figures(client, auth, world):
    auth.login("tina@example.com")
    page = client.get("/me", follow_redirects=True).get_data(as_text=True)
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert 'role="img"' in svg and "Rotation timeline of Tina Trainee" in svg
    assert svg.count('class="tl-bar"') == 3 and svg.count("<polygon") == 1  # the ongoing one is open-ended
    assert "★ 4" in svg and "★ 3" in svg and ">Today</text>" in svg
    assert "Warehouse, 6 Jan 2025 to 4 May 2025 (17 weeks), rated 3 of 5." in svg
    assert page.index("</svg>") < page.index('<table class="stack">')  # the table stays below
    assert 'valid until <time datetime="2025-07-14">14 Jul 2025</time> <span class="badge badge-lapsing">Lapses in 14 days</span>' in page
    assert '<span class="badge badge-lapsed">Lapsed</span> counted until <time datetime="2025-01-09">9 Jan 2025</time>' in page
    assert "35 of 30 weeks in total" in page and "2 of 4 job types" in page
    assert "Audit Fundamentals: best valid score 62 of 70" in page
    assert "Needs 2 more job types (has 2 of 4)." in page
    assert "Missing:" not in page


def test_a_ready_trainee_sees_it_first_and_a_placed_one_sees_their_role(client, auth, world):
    flag = ReadinessFlag(trainee=world.trainee, role=world.role, raised_on=date(2025, 6, 27), snapshot={})
    db.session.add(flag)
    db.session.commit()
    auth.login("tina@example.com")
    page = client.get("/me", follow_redirects=True).get_data(as_text=True)
    banner = page.index("You are ready for Audit")
    assert page.index("<h1>") < banner < page.index('class="profile"')
    assert "your supervisor decides what happens next" in page
    world.trainee.status, world.trainee.placed_role, world.trainee.placed_on = "placed", world.role, date(2025, 6, 30)
    flag.decision, flag.decision_on = "placed", date(2025, 6, 30)
    db.session.commit()
    page = client.get("/me", follow_redirects=True).get_data(as_text=True)
    assert page.index("You were placed in Audit</strong> from <time datetime=\"2025-06-30\">30 Jun 2025</time>") < page.index('class="profile"')


def test_history_reads_as_words(client, auth, world):
    db.session.add(AuditEvent(
        actor_id=None, entity_type="readiness_flags", entity_id=1, trainee_id=world.trainee.id, action="raise",
        before=None, after={"role_id": world.role.id, "raised_on": "2025-06-27", "snapshot": {
            "as_of": "2025-06-27", "role": "audit", "progress": "1.00",
            "criteria": [{"label": "a", "met": True, "missing": None}, {"label": "b", "met": True, "missing": None}]}},
    ))
    db.session.commit()
    auth.login("sam@example.com")
    page = client.get(f"/trainees/{world.trainee.id}").get_data(as_text=True)
    history = page[page.index('id="history-heading"'):]
    assert "Found ready for Audit" in history
    assert "all 2 criteria met on 27 Jun 2025" in history
    assert "{" not in history and "criteria&#34;" not in history


def test_queries_do_not_grow_with_trainees(client, auth, world):
    def count() -> int:
        db.session.commit()
        with counted_queries() as statements:
            assert client.get(f"/trainees/{world.trainee.id}").status_code == 200
        return len(statements)

    auth.login("sam@example.com")
    few = count()
    for n in range(10):
        other = make_trainee(supervisor=world.supervisor, name=f"Other {n}")
        make_rotation(other, make_job_type(), date(2025, 1, 6), date(2025, 3, 2), rating=4)
    assert count() == few


def test_a_planned_rotation_is_drawn_lighter_and_widens_the_picture():
    rotations = [rotation("Warehouse", date(2025, 5, 5), date(2025, 6, 29), 4), rotation("Logistics", date(2025, 9, 1), date(2025, 10, 26))]
    picture = timeline.layout(rotations, TODAY)
    done, planned = picture.bars
    assert planned.planned and not done.planned and not planned.ongoing
    assert planned.text == "Logistics, 1 Sep 2025 to 26 Oct 2025 (8 weeks), planned"
    assert planned.x + planned.width <= picture.plot_right and picture.ticks[-1].label in ("Oct", "Nov")


def test_leave_is_a_shaded_band_across_the_lanes_with_its_words():
    rotations = [rotation("Warehouse", date(2025, 1, 6), date(2025, 3, 2), 4), rotation("Logistics", date(2025, 3, 17))]
    leave = [SimpleNamespace(start_date=date(2025, 3, 3), end_date=date(2025, 3, 16), reason="Annual leave"),
             SimpleNamespace(start_date=date(2025, 8, 4), end_date=date(2025, 8, 15), reason="Study leave")]
    picture = timeline.layout(rotations, TODAY, leave=leave)
    spring, summer = picture.leave
    warehouse, logistics = picture.bars
    assert warehouse.x + warehouse.width <= spring.x + 1 and spring.x + spring.width <= logistics.x + 1
    assert spring.text == "Leave, 3 Mar 2025 to 16 Mar 2025: Annual leave"
    assert summer.x > picture.today_x and summer.x + summer.width <= picture.plot_right, "leave ahead widens the picture"


def test_the_trainee_page_shades_recorded_leave_on_the_timeline(client, auth, world):
    from tests.factories import make_leave
    lee = make_trainee(supervisor=world.supervisor, email="lee@example.com", name="Lee Leave", start_date=date(2025, 1, 6))
    make_rotation(lee, make_job_type(name="Logistics"), date(2025, 1, 6), date(2025, 5, 30), rating=4)
    make_leave(lee, date(2025, 6, 2), date(2025, 6, 13), reason="Annual leave")
    db.session.commit()
    auth.login("lee@example.com")
    page = client.get("/me", follow_redirects=True).get_data(as_text=True)
    assert 'class="tl-leave"' in page and "Leave, 2 Jun 2025 to 13 Jun 2025: Annual leave" in page
    assert "grey bands: leave" in page
