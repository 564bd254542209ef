"""A supervisor's home at `/`: what needs them now, each item linking to its action, in a fixed number of queries."""
from datetime import date

import pytest

from tests.factories import make_job_type, make_module, make_result, make_role, make_rotation, make_trainee, make_user
from tests.query_counting import counted_queries
from tracker.extensions import db
from tracker.readiness.models import ReadinessFlag

TODAY = date(2025, 6, 30)  # the clock fixture's Monday


@pytest.fixture
def supervisor(app, clock):
    return make_user("supervisor", email="sam@example.com", name="Sam Super")


def add_busy_trainee(supervisor, job_type, module, role, name):
    """A trainee with one item of every kind: idle, unrated, lapsing, flagged, deferred."""
    trainee = make_trainee(supervisor=supervisor, name=name)
    make_rotation(trainee, job_type, date(2025, 1, 6), date(2025, 3, 2))  # ended long ago, unrated: idle and to rate
    make_result(trainee, module, date(2024, 7, 15), 80)  # 12 months valid: lapses 15 Jul 2025
    db.session.add(ReadinessFlag(trainee=trainee, role=role, raised_on=date(2025, 6, 20), snapshot={}))
    return trainee


def test_every_kind_of_item_with_its_link(client, auth, supervisor):
    job_type = make_job_type(name="Procurement desk")
    module = make_module(name="Audit Fundamentals", valid_months=12)
    role, other_role = make_role("audit"), make_role("strategy")
    amelia = add_busy_trainee(supervisor, job_type, module, role, "Amelia Hughes")
    ben = make_trainee(supervisor=supervisor, name="Ben Okafor")
    ending = make_rotation(ben, job_type, date(2025, 6, 2), date(2025, 7, 4))
    db.session.add(ReadinessFlag(trainee=ben, role=other_role, raised_on=date(2025, 5, 1), decision="deferred",
                                 decision_on=date(2025, 5, 2), revisit_on=date(2025, 7, 2), decision_reason="Wait for audit", snapshot={}))
    make_trainee(name="Not Mine")
    db.session.commit()
    auth.login("sam@example.com")
    page = client.get("/").get_data(as_text=True)
    assert "What needs you today" in page
    assert "Amelia Hughes: ready for Audit" in page and "waiting 10 days" in page
    assert "no rotation since <time datetime=\"2025-03-02\">2 Mar 2025</time> and none ongoing" in page
    assert f"/trainees/{amelia.id}/rotations/new" in page
    assert "Rate Amelia Hughes's Procurement desk" in page
    assert "Ben Okafor: Procurement desk" in page and ending.end_date == date(2025, 7, 4)
    assert "ends <time datetime=\"2025-07-04\">4 Jul 2025</time>" in page
    assert "valid until <time datetime=\"2025-07-14\">14 Jul 2025</time>" in page
    assert "Ben Okafor: Strategy" in page and "Wait for audit" in page
    assert "Not Mine" not in page
    assert "Nothing needs you today" not in page


def test_the_empty_state(client, auth, supervisor):
    trainee = make_trainee(supervisor=supervisor, name="Calm Trainee")
    make_rotation(trainee, make_job_type(), date(2025, 6, 1))  # ongoing
    db.session.commit()
    auth.login("sam@example.com")
    page = client.get("/").get_data(as_text=True)
    assert "Nothing needs you today" in page
    assert page.count('class="card card-zero"') == 6


def test_one_flag_and_one_day_are_singular(client, auth, supervisor):
    trainee = make_trainee(supervisor=supervisor, name="Dana")
    make_rotation(trainee, make_job_type(), date(2025, 6, 1))
    db.session.add(ReadinessFlag(trainee=trainee, role=make_role(), raised_on=date(2025, 6, 29), snapshot={}))
    db.session.commit()
    auth.login("sam@example.com")
    page = client.get("/").get_data(as_text=True)
    assert "1</span> <span class=\"card-label\">flag awaits a decision" in page
    assert "waiting 1 day<" in page


def test_admins_and_trainees_keep_their_homes(client, auth, app, clock):
    make_user("admin", email="root@example.com")
    make_trainee(email="tina@example.com")
    db.session.commit()
    auth.login("root@example.com")
    assert "The programme at a glance" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("tina@example.com")
    assert client.get("/").headers["Location"] == "/me"


def test_queries_do_not_grow_with_trainees(client, auth, supervisor):
    job_type, module = make_job_type(), make_module(valid_months=12)
    role = make_role()

    def count_for_home() -> int:
        db.session.commit()
        with counted_queries() as statements:
            assert client.get("/").status_code == 200
        return len(statements)

    add_busy_trainee(supervisor, job_type, module, role, "First")
    db.session.commit()
    auth.login("sam@example.com")
    few = count_for_home()
    for n in range(15):
        add_busy_trainee(supervisor, job_type, module, role, f"Trainee {n}")
    assert count_for_home() == few
