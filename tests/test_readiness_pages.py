"""The readiness board, decisions on flags, and progress on the trainee page."""
import re
from datetime import timedelta
from functools import cache

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from tests.conftest import csrf_token_from, post_form
from tests.factories import PASSWORD, make_job_type, make_module, make_result, make_role, make_rotation, make_trainee, make_user
from tracker.audit.models import AuditEvent
from tracker.audit.services import record_change, snapshot
from tracker.core.formatting import format_date
from tracker.extensions import db
from tracker.infra.clock import today
from tracker.readiness import services
from tracker.readiness.models import ReadinessFlag
from tracker.trainees.models import ModuleResult, Rotation, Trainee


@cache
def password_hash() -> str:
    """One hash of the test password for every user here (hashing is slow on purpose)."""
    return generate_password_hash(PASSWORD)


def user(role: str, email: str, name: str):
    """A user who can sign in with the test password."""
    made = make_user(role, email=email, name=name, password=None)
    made.password_hash = password_hash()
    return made


class Programme:
    """Two roles; supervisor Sam with a ready, a nearly ready and an early trainee; Olga with a ready one."""

    def __init__(self):
        self.procurement = make_job_type("procurement", "Procurement desk")
        self.module = make_module("audit-fundamentals", "Audit Fundamentals")
        self.audit = make_role("audit", min_total_weeks=8, rotations=[(self.procurement, 8, 4)], modules=[(self.module, 70)])
        self.audit.name = "Internal auditing"
        self.strategy = make_role("strategy", min_total_weeks=20)
        self.strategy.name = "Operations strategy"
        self.sam = user("supervisor", "sam@example.com", "Sam Super")
        self.olga = user("supervisor", "olga@example.com", "Olga Other")
        self.admin = user("admin", "admin@example.com", "Ada Admin")
        self.ready = self.trainee("Rita Ready", "rita@example.com", self.sam, "2025-A", weeks=8, rating=4, score=80)
        self.nearly = self.trainee("Nico Nearly", "nico@example.com", self.sam, "2025-B", weeks=8, rating=4, score=60)
        self.early = self.trainee("Emil Early", "emil@example.com", self.sam, "2025-B", weeks=2, rating=None, score=None)
        self.theirs = self.trainee("Theo Theirs", "theo@example.com", self.olga, "2025-A", weeks=8, rating=5, score=90)
        db.session.commit()
        services.run_readiness(today() - timedelta(days=3))
        db.session.commit()

    def trainee(self, name, email, supervisor, cohort, weeks, rating, score) -> Trainee:
        trainee = make_trainee(supervisor=supervisor, email=email, name=name, cohort=cohort, password=None)
        trainee.user.password_hash = password_hash()
        end = today() - timedelta(days=10)
        make_rotation(trainee, self.procurement, end - timedelta(days=weeks * 7 - 1), end, rating=rating)
        if score is not None:
            make_result(trainee, self.module, end, score)
        return trainee

    def flag_of(self, trainee: Trainee, role=None) -> ReadinessFlag:
        role = role or self.audit
        return db.session.scalar(select(ReadinessFlag).where(
            ReadinessFlag.trainee_id == trainee.id, ReadinessFlag.role_id == role.id))


@pytest.fixture
def programme(app) -> Programme:
    return Programme()


def text_of(response) -> str:
    """The page's visible text, with tags and runs of white space collapsed."""
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


ROLE_NAMES = ("Internal auditing", "Operations strategy")


def section(response, role_name: str) -> str:
    """The text of one role's section of the board."""
    text = text_of(response)
    start = text.index(f" {role_name} Ready ")
    ends = [text.find(f" {name} Ready ", start + 1) for name in ROLE_NAMES if name != role_name]
    return text[start:min([end for end in ends if end > start], default=len(text))]


def audit_actions(entity_type: str) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == entity_type).order_by(AuditEvent.id)))


# --- the board ---------------------------------------------------------------


def test_the_board_needs_a_signed_in_supervisor_or_admin(client, auth, programme):
    assert client.get("/readiness/").headers["Location"].startswith("/login")
    auth.login("rita@example.com")
    assert client.get("/readiness/").status_code == 403


def test_a_supervisor_sees_their_ready_trainees_since_when_and_nearly_ready_ones_with_what_is_missing(client, auth, programme):
    auth.login("sam@example.com")
    response = client.get("/readiness/")
    assert response.status_code == 200
    audit = section(response, "Internal auditing")
    raised = format_date(today() - timedelta(days=3))
    assert f"Ready Trainee Cohort Ready since Decision Rita Ready 2025-A {raised} Decide for Rita Ready" in audit
    assert "Nearly ready Trainee Cohort Progress Still missing Nico Nearly 2025-B 75% 75% " \
           "needs Audit Fundamentals at 70 or more, best valid score 60" in audit
    assert "Emil Early" not in audit and "Theo Theirs" not in text_of(response)


def test_an_admin_sees_every_trainee(client, auth, programme):
    auth.login("admin@example.com")
    page = text_of(client.get("/readiness/"))
    assert "Rita Ready" in page and "Theo Theirs" in page


def test_the_board_filters_by_role_and_cohort(client, auth, programme):
    auth.login("sam@example.com")
    by_role = text_of(client.get("/readiness/?role=strategy"))
    assert "Operations strategy Ready" in by_role and "Internal auditing Ready" not in by_role
    by_cohort = text_of(client.get("/readiness/?cohort=2025-B"))
    assert "Nico Nearly" in by_cohort and "Rita Ready" not in by_cohort
    assert "No active role matches this filter." in text_of(client.get("/readiness/?role=nope"))


def test_a_trainee_ready_today_but_not_yet_flagged_is_shown_as_such(client, auth, programme):
    make_result(programme.nearly, programme.module, today(), 75)
    db.session.commit()
    auth.login("sam@example.com")
    audit = section(client.get("/readiness/"), "Internal auditing")
    assert "Nico Nearly 2025-B Today (flagged by the next run) Once flagged" in audit


def test_a_flagged_trainee_no_longer_ready_is_marked(client, auth, programme):
    db.session.execute(ModuleResult.__table__.delete().where(ModuleResult.trainee_id == programme.ready.id))
    db.session.commit()
    auth.login("sam@example.com")
    audit = section(client.get("/readiness/"), "Internal auditing")
    assert "No longer ready today: needs Audit Fundamentals at 70 or more, no valid result" in audit


# --- decisions ---------------------------------------------------------------


def test_placing_makes_the_trainee_placed_in_the_role_from_the_date_and_is_audited(client, auth, programme):
    flag = programme.flag_of(programme.ready)
    auth.login("sam@example.com")
    placed_on = today() + timedelta(days=7)
    response = post_form(client, f"/readiness/flags/{flag.id}",
                         {"placed_on": placed_on.isoformat(), "note": " Starts with the Q3 audits. "},
                         f"/readiness/flags/{flag.id}/place")
    assert response.status_code == 302 and response.headers["Location"] == f"/readiness/flags/{flag.id}"
    trainee, flag = db.session.get(Trainee, programme.ready.id), db.session.get(ReadinessFlag, flag.id)
    assert (trainee.status, trainee.placed_role_id, trainee.placed_on) == ("placed", programme.audit.id, placed_on)
    assert (flag.decision, flag.decision_reason, flag.decided_by_id, flag.decision_on) == (
        "placed", "Starts with the Q3 audits.", programme.sam.id, today())
    assert audit_actions("readiness_flags")[-1] == "decide_placed" and audit_actions("trainees")[-1] == "update"
    page = text_of(client.get(f"/readiness/flags/{flag.id}"))
    assert f"Rita Ready is placed in Internal auditing from {format_date(placed_on)}." in page
    assert "Placed by Sam Super: “Starts with the Q3 audits.”" in page
    assert "Rita Ready" not in text_of(client.get("/readiness/"))  # no longer active: no longer evaluated
    assert services.run_readiness(today())["trainees"] == 3


@pytest.mark.parametrize(
    ("placed_on", "error"),
    [("", "Enter the date the placement starts."), ("   ", "Enter the date the placement starts."), ("2025-02-30", "is not a real date"),
     ("long-ago", "is not a date in the form YYYY-MM-DD"), ("2000-01-01", "The placement cannot start before the trainee was found ready"),
     ("9999-12-31", "is outside the dates the tracker keeps"), ("0001-01-01", "is outside the dates the tracker keeps")],
)
def test_a_bad_placement_date_is_shown_beside_the_field_and_changes_nothing(client, auth, programme, placed_on, error):
    flag = programme.flag_of(programme.ready)
    auth.login("sam@example.com")
    response = post_form(client, f"/readiness/flags/{flag.id}", {"placed_on": placed_on}, f"/readiness/flags/{flag.id}/place")
    assert response.status_code == 400
    errors = re.search(r'<ul class="errors" id="placed_on-error">(.*?)</ul>', response.get_data(as_text=True), re.S)
    assert errors and error in errors.group(1)
    assert db.session.get(Trainee, programme.ready.id).status == "active"
    assert db.session.get(ReadinessFlag, flag.id).decision is None


def test_deferring_needs_a_reason_and_a_revisit_date_and_keeps_the_trainee_active(client, auth, programme):
    flag = programme.flag_of(programme.ready)
    auth.login("sam@example.com")
    missing = post_form(client, f"/readiness/flags/{flag.id}", {"reason": "   ", "revisit_on": ""}, f"/readiness/flags/{flag.id}/defer")
    assert missing.status_code == 400
    page = missing.get_data(as_text=True)
    assert re.search(r'id="reason-error"><li>Say why the decision is deferred.</li>', page)
    assert re.search(r'id="revisit_on-error"><li>Enter the date to look at this again, after today.</li>', page)
    assert "Nothing was saved: 2 things need correcting" in page  # the summary above the form, linking each field
    assert '<a href="#reason">Reason: Say why the decision is deferred.</a>' in page
    assert page.count('id="error-summary"') == 1  # only the form that failed has one
    assert db.session.get(ReadinessFlag, flag.id).decision is None
    revisit = today() + timedelta(days=30)
    done = post_form(client, f"/readiness/flags/{flag.id}", {"reason": "Waiting for the spring intake", "revisit_on": revisit.isoformat()},
                     f"/readiness/flags/{flag.id}/defer")
    assert done.status_code == 302
    assert f"The decision is deferred until {format_date(revisit)}: no new flag for this role before then." in text_of(client.get(done.headers["Location"]))
    flag = db.session.get(ReadinessFlag, flag.id)
    assert (flag.decision, flag.decision_reason, flag.revisit_on, flag.cleared_on) == ("deferred", "Waiting for the spring intake", revisit, None)
    assert db.session.get(Trainee, programme.ready.id).status == "active"
    assert audit_actions("readiness_flags")[-1] == "decide_deferred"
    audit = section(client.get("/readiness/"), "Internal auditing")
    assert f"Deferred Still ready, and deferred: no new flag before the revisit date; from then on, the next readiness run " \
           f"flags them again for a new decision. Trainee Cohort Ready since Deferred Revisit Reason Rita Ready 2025-A " \
           f"{format_date(flag.raised_on)} {format_date(today())} (details for Rita Ready) deferred until {format_date(revisit)} " \
           f"Waiting for the spring intake" in audit


@pytest.mark.parametrize("revisit_on, error", [
    ("today", "The revisit date must be after today ("),
    ("yesterday", "The revisit date must be after today ("),
    ("in 11 years", "is outside the dates the tracker keeps"),
    ("2026-02-30", "'2026-02-30' is not a real date"),
])
def test_a_bad_revisit_date_is_shown_beside_the_field_and_changes_nothing(client, auth, programme, revisit_on, error):
    days = {"today": 0, "yesterday": -1, "in 11 years": 11 * 366}
    value = (today() + timedelta(days=days[revisit_on])).isoformat() if revisit_on in days else revisit_on
    flag = programme.flag_of(programme.ready)
    auth.login("sam@example.com")
    response = post_form(client, f"/readiness/flags/{flag.id}", {"reason": "Later", "revisit_on": value}, f"/readiness/flags/{flag.id}/defer")
    assert response.status_code == 400
    match = re.search(r'id="revisit_on-error"><li>(.*?)</li>', response.get_data(as_text=True))
    assert match and error in match.group(1).replace("&#39;", "'")
    assert db.session.get(ReadinessFlag, flag.id).decision is None


def test_the_defer_form_says_what_will_happen(client, auth, programme):
    flag = programme.flag_of(programme.ready)
    auth.login("sam@example.com")
    page = text_of(client.get(f"/readiness/flags/{flag.id}"))
    assert "Revisit on The trainee stays active. Readiness runs raise no new flag for them for Internal auditing before " \
           "this date; from then on, if they are still ready, the next run flags them again for a new decision." in page
    assert "not flagged again while they stay ready" not in page


def test_once_the_revisit_date_has_come_the_board_says_the_next_run_flags_again(client, auth, programme):
    flag = programme.flag_of(programme.ready)
    auth.login("sam@example.com")
    post_form(client, f"/readiness/flags/{flag.id}", {"reason": "Spring", "revisit_on": (today() + timedelta(days=2)).isoformat()},
              f"/readiness/flags/{flag.id}/defer")
    db.session.execute(ReadinessFlag.__table__.update().values(decision_on=today() - timedelta(days=9), revisit_on=today()))
    db.session.commit()
    audit = section(client.get("/readiness/"), "Internal auditing")
    assert f"revisit date {format_date(today())} has come: flagged again by the next run Spring" in audit
    services.run_readiness(today())
    db.session.commit()
    assert "Deferred before, on " in section(client.get("/readiness/"), "Internal auditing")


def test_reversing_a_placement_needs_a_reason_and_reopens_the_flag(client, auth, programme):
    flag = programme.flag_of(programme.ready)
    auth.login("sam@example.com")
    post_form(client, f"/readiness/flags/{flag.id}", {"placed_on": today().isoformat()}, f"/readiness/flags/{flag.id}/place")
    missing = post_form(client, f"/readiness/flags/{flag.id}", {"reason": ""}, f"/readiness/flags/{flag.id}/reverse")
    assert missing.status_code == 400 and "Say why the decision is reversed." in missing.get_data(as_text=True)
    assert db.session.get(Trainee, programme.ready.id).status == "placed"
    done = post_form(client, f"/readiness/flags/{flag.id}", {"reason": "Placed by mistake"}, f"/readiness/flags/{flag.id}/reverse")
    assert done.status_code == 302
    trainee, flag = db.session.get(Trainee, programme.ready.id), db.session.get(ReadinessFlag, flag.id)
    assert (trainee.status, trainee.placed_role_id, trainee.placed_on) == ("active", None, None)
    assert (flag.decision, flag.decided_by_id, flag.decision_on, flag.is_open) == (None, None, None, True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reverse_decision"))
    assert (event.actor_id, event.before["decision"], event.after["decision"], event.after["reason"]) == (
        programme.sam.id, "placed", None, "Placed by mistake")
    assert "Decision reversed by Sam Super: “Placed by mistake”" in text_of(client.get(f"/readiness/flags/{flag.id}"))


def test_a_cleared_flag_cannot_be_reversed(client, auth, programme):
    flag = programme.flag_of(programme.ready)
    flag.decision, flag.cleared_on = "deferred", today()
    db.session.commit()
    auth.login("sam@example.com")
    assert "Reverse the decision" not in text_of(client.get(f"/readiness/flags/{flag.id}"))
    response = post_form(client, f"/readiness/flags/{flag.id}", {"reason": "Try"}, f"/readiness/flags/{flag.id}/reverse")
    assert response.status_code == 302
    assert "was cleared on" in text_of(client.get(response.headers["Location"]))
    assert db.session.get(ReadinessFlag, flag.id).decision == "deferred"


def test_a_flag_decided_meanwhile_is_not_decided_twice(client, auth, programme):
    flag = programme.flag_of(programme.ready)
    auth.login("sam@example.com")
    token = csrf_token_from(client.get(f"/readiness/flags/{flag.id}"))  # two tabs open on the same flag
    client.post(f"/readiness/flags/{flag.id}/defer", data={"reason": "First tab", "revisit_on": (today() + timedelta(days=30)).isoformat(), "csrf_token": token})
    second = client.post(f"/readiness/flags/{flag.id}/place", data={"placed_on": today().isoformat(), "csrf_token": token})
    assert second.status_code == 302
    assert "Someone changed this flag meanwhile" in text_of(client.get(second.headers["Location"]))
    assert db.session.get(ReadinessFlag, flag.id).decision == "deferred"
    assert db.session.get(Trainee, programme.ready.id).status == "active"


@pytest.mark.parametrize("action", ["place", "defer", "reverse"])
def test_a_supervisor_cannot_see_or_decide_another_supervisors_flag(client, auth, programme, action):
    flag = programme.flag_of(programme.theirs)
    auth.login("sam@example.com")
    assert client.get(f"/readiness/flags/{flag.id}").status_code == 403
    token = csrf_token_from(client.get("/readiness/"))
    data = {"placed_on": today().isoformat(), "reason": "Mine now", "csrf_token": token}
    assert client.post(f"/readiness/flags/{flag.id}/{action}", data=data).status_code == 403
    assert db.session.get(ReadinessFlag, flag.id).decision is None
    assert db.session.get(Trainee, programme.theirs.id).status == "active"


@pytest.mark.parametrize("action", ["place", "defer", "reverse"])
def test_a_trainee_cannot_decide_even_on_their_own_flag(client, auth, programme, action):
    flag = programme.flag_of(programme.ready)
    auth.login("rita@example.com")
    token = csrf_token_from(client.get("/me", follow_redirects=True))
    data = {"placed_on": today().isoformat(), "reason": "Me", "csrf_token": token}
    assert client.post(f"/readiness/flags/{flag.id}/{action}", data=data).status_code == 403
    assert client.get(f"/readiness/flags/{flag.id}").status_code == 403
    assert db.session.get(ReadinessFlag, flag.id).decision is None


def test_a_decision_without_the_csrf_token_is_refused(client, auth, programme):
    flag = programme.flag_of(programme.ready)
    auth.login("sam@example.com")
    response = client.post(f"/readiness/flags/{flag.id}/defer", data={"reason": "No token"})
    assert response.status_code == 400
    assert db.session.get(ReadinessFlag, flag.id).decision is None


def test_an_admin_may_decide_any_flag_and_an_unknown_flag_is_404(client, auth, programme):
    flag = programme.flag_of(programme.theirs)
    auth.login("admin@example.com")
    assert client.get("/readiness/flags/999999").status_code == 404
    data = {"reason": "Budget freeze", "revisit_on": (today() + timedelta(days=60)).isoformat()}
    response = post_form(client, f"/readiness/flags/{flag.id}", data, f"/readiness/flags/{flag.id}/defer")
    assert response.status_code == 302
    assert db.session.get(ReadinessFlag, flag.id).decided_by_id == programme.admin.id


# --- the trainee page ----------------------------------------------------------


def test_a_trainee_sees_their_progress_and_checklist_per_role(client, auth, programme):
    auth.login("nico@example.com")
    response = client.get("/me", follow_redirects=True)
    html, page = response.get_data(as_text=True), text_of(response)
    assert "Readiness for each role" in page
    assert "Internal auditing 75% 75% Met: 8 of 8 weeks in total Met: 8 of 8 weeks in Procurement desk " \
           "Met: latest rating 4 in Procurement desk, needs a rating of 4 or more " \
           "Not met: Audit Fundamentals: best valid score 60 of 70 Needs Audit Fundamentals at 70 or more, best valid score 60." in page
    assert "Operations strategy 40% 40% Not met: 8 of 20 weeks in total Needs 12 more weeks in total." in page
    assert '<progress max="100" value="75" aria-label="Progress toward Internal auditing">' in html
    assert "Readiness flags" not in page  # flags and decisions are for staff
    assert " style=" not in html and not re.search(r"<script(?![^>]*\ssrc=)", html)  # the CSP allows neither inline


def test_a_supervisor_sees_the_same_progress_and_the_flags_of_their_trainee(client, auth, programme):
    auth.login("sam@example.com")
    page = text_of(client.get(f"/trainees/{programme.ready.id}"))
    assert "Internal auditing Ready 100% 100% Met: 8 of 8 weeks in total Met: 8 of 8 weeks in Procurement desk" in page
    assert f"Readiness flags Role Found ready Status Details Internal auditing {format_date(today() - timedelta(days=3))} " \
           "Waiting for a decision Decide" in page


def test_a_placed_trainee_is_no_longer_evaluated(client, auth, programme):
    trainee = db.session.get(Trainee, programme.early.id)
    trainee.status, trainee.placed_role_id, trainee.placed_on = "placed", programme.strategy.id, today()
    db.session.commit()
    auth.login("emil@example.com")
    page = text_of(client.get("/me", follow_redirects=True))
    assert "Readiness is evaluated for active trainees only." in page and "Not met:" not in page



def test_a_trainee_does_not_see_the_supervisors_reasons_in_their_history(client, auth, programme):
    flag = programme.flag_of(programme.ready)
    rotation = db.session.scalar(select(Rotation).where(Rotation.trainee_id == programme.ready.id))
    record_change(programme.sam, "update", rotation, before=snapshot(rotation), trainee_id=programme.ready.id)
    db.session.commit()
    auth.login("sam@example.com")
    data = {"reason": "Performance concerns, see file", "revisit_on": (today() + timedelta(days=60)).isoformat()}
    post_form(client, f"/readiness/flags/{flag.id}", data, f"/readiness/flags/{flag.id}/defer")
    assert "Performance concerns" in client.get(f"/trainees/{programme.ready.id}").get_data(as_text=True)
    auth.logout()
    auth.login("rita@example.com")
    own_page = client.get(f"/trainees/{programme.ready.id}").get_data(as_text=True)
    assert "Performance concerns" not in own_page and "Readiness flag" not in own_page
    assert "Rotation changed" in own_page  # the rest of their history is still there


def test_the_cohort_filter_lists_only_the_supervisors_cohorts(client, auth, programme):
    make_trainee(supervisor=programme.olga, cohort="2026-Olga", password=None)
    db.session.commit()
    auth.login("sam@example.com")
    options = re.findall(r'<option value="([^"]+)"', client.get("/readiness/").get_data(as_text=True))
    own = set(db.session.scalars(select(Trainee.cohort).where(Trainee.supervisor_id == programme.sam.id)))
    others = set(db.session.scalars(select(Trainee.cohort).where(Trainee.supervisor_id != programme.sam.id)))
    assert others - own, "the programme should give another supervisor a cohort of their own"
    assert set(options) & (others - own) == set()
