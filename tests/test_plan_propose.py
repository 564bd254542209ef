"""The planner on the database: `flask plan propose`, accepting a proposal, and the /plan/ proposal pages.

What the planner claims must be what the forecast says once its rotations are recorded, and no
proposal may break capacity, leave or a trainee's own rotations.
"""
import csv
import io
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_from
from tests.factories import (
    make_job_type,
    make_leave,
    make_module,
    make_role,
    make_rotation,
    make_trainee,
    make_user,
)
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.infra.clock import today
from tracker.planning import cli as planning_cli
from tracker.planning import services
from tracker.planning.models import PlanRun
from tracker.trainees import services as trainee_services
from tracker.trainees.models import Rotation
from tracker.web import cli

START = date(2025, 7, 7)  # the Monday after the test clock's today, 30 Jun 2025


def set_aims(trainee, *roles):
    trainee_services.set_target_roles(trainee, list(roles))


@pytest.fixture
def programme(app, clock):
    """Two job types (one place on the warehouse), a role needing 8 weeks of each, four trainees aiming at it."""
    warehouse = make_job_type("warehouse", "Warehouse operations", capacity=1)
    procurement = make_job_type("procurement", "Procurement desk", capacity=2)
    role = make_role("scm", rotations=[(warehouse, 8, None), (procurement, 8, None)])
    maria, david = make_user("supervisor", email="maria@example.com"), make_user("supervisor", email="david@example.com")
    trainees = {
        "ana": make_trainee(maria, email="ana@example.com", name="Ana", cohort="2025-A"),
        "ben": make_trainee(maria, email="ben@example.com", name="Ben", cohort="2025-A"),
        "cai": make_trainee(david, email="cai@example.com", name="Cai", cohort="2025-B"),
        "dee": make_trainee(david, email="dee@example.com", name="Dee", cohort="2025-B"),
    }
    # Ana has done the warehouse already; Ben has leave in the first block; Dee aims at nothing.
    make_rotation(trainees["ana"], warehouse, date(2025, 1, 6), date(2025, 3, 2), rating=4)
    make_leave(trainees["ben"], START + timedelta(days=3), START + timedelta(days=10))
    for name in ("ana", "ben", "cai"):
        set_aims(trainees[name], role)
    db.session.commit()
    return {"warehouse": warehouse, "procurement": procurement, "role": role, "maria": maria, "david": david, **trainees}


def propose(runner, *args):
    result = runner.invoke(args=["plan", "propose", "--start", START.isoformat(), "--weeks", "24", *args])
    return result


def proposed_rows(output: str) -> list[list[str]]:
    lines = [line for line in output.splitlines() if not line.startswith(("Planned", "Accepted"))]
    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    assert rows[0] == ["trainee_email", "job_type", "start_date", "end_date"]
    return rows[1:]


def test_propose_prints_the_contract_csv_and_a_summary_and_changes_nothing(runner, programme):
    result = propose(runner)
    assert result.exit_code == 0, result.output
    rows = proposed_rows(result.stdout)
    assert rows == sorted(rows, key=lambda r: (r[0], r[2]))
    assert {r[0] for r in rows} == {"ana@example.com", "ben@example.com", "cai@example.com"}
    for _, _, start, end in rows:  # whole blocks of 4 weeks from the start
        first, last = date.fromisoformat(start), date.fromisoformat(end)
        assert (first - START).days % 28 == 0 and (last - first).days == 27
    assert result.stderr.startswith("Planned 3 trainees of 3 with a target role: ")
    assert "solver OPTIMAL" in result.stderr
    assert db.session.scalar(select(func.count()).select_from(Rotation)) == 1


def test_a_proposal_keeps_capacity_leave_and_the_trainees_own_rotations(runner, programme):
    rows = proposed_rows(propose(runner).stdout)
    periods = {}
    for email, code, start, end in rows:
        periods.setdefault(code, []).append((email, date.fromisoformat(start), date.fromisoformat(end)))
    warehouse = sorted(periods["warehouse"], key=lambda p: p[1])
    assert all(a[2] < b[1] for a, b in zip(warehouse, warehouse[1:], strict=False)), "one warehouse place"
    assert all(email != "ana@example.com" for email, *_ in warehouse), "Ana has her warehouse weeks"
    leave = (START + timedelta(days=3), START + timedelta(days=10))
    for email, _, start, end in rows:
        if email == "ben@example.com":
            assert date.fromisoformat(end) < leave[0] or date.fromisoformat(start) > leave[1]


def test_the_one_who_needs_fewer_weeks_takes_the_one_place_first(runner, programme):
    rows = proposed_rows(propose(runner).stdout)
    firsts = {}
    for email, _, start, _ in rows:
        firsts[email] = min(date.fromisoformat(start), firsts.get(email, date.max))
    # Ana needs only procurement (2 places) and starts at once; Cai needs both and is not held up by leave.
    assert firsts["ana@example.com"] == START
    assert firsts["cai@example.com"] == START


def test_accepting_records_planned_rotations_audited_and_the_claimed_dates_are_the_forecasts(app, runner, programme):
    problem_proposal = services.propose_plan(services.Scope(), START, 24, 4, today(), seconds=5)
    claimed = {t.trainee_id: t.ready_on for t in problem_proposal.trainees}
    result = propose(runner, "--accept")
    assert result.exit_code == 0, result.output
    created = len(proposed_rows(result.stdout))
    assert len(result.stderr.splitlines()) == 1, "one summary line on standard error"
    assert result.stderr.rstrip().endswith(f"Accepted: {created} planned rotations recorded.")
    assert db.session.scalar(select(func.count()).select_from(Rotation)) == 1 + created
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "accept_plan")).all()
    assert len(events) == created and all(e.entity_type == "rotations" for e in events)
    forecast = runner.invoke(args=["readiness", "forecast"])
    ready_on = {(row["trainee_email"], row["role"]): row["ready_on"] for row in csv.DictReader(io.StringIO(forecast.output))}
    for name in ("ana", "ben", "cai"):
        trainee = programme[name]
        expected = claimed[trainee.id].isoformat() if claimed[trainee.id] else ""
        assert ready_on[(trainee.user.email, "scm")] == expected, name
    again = propose(runner)
    assert proposed_rows(again.stdout) == [], "nothing left to plan once accepted"


@pytest.mark.parametrize("args, message", [
    (["--start", "2025-06-01", "--weeks", "24"], "Error: --start: The plan must start today (2025-06-30) or later."),
    (["--start", "2025-07-07", "--weeks", "2"], "Error: --weeks: The horizon is 4 (one block) to 104 weeks."),
    (["--start", "2025-07-07", "--weeks", "8", "--block-weeks", "0"], "Error: --block-weeks: Blocks are 1 to 26 weeks long."),
    (["--start", "2025-02-30", "--weeks", "8"], "Error: --start:"),
    (["--start", "2025-07-07", "--weeks", "8", "--cohort", "1999-Z"],
     "Error: No active trainee in this scope has a target role: there is nothing to plan."),
])
def test_bad_input_fails_with_one_line_and_changes_nothing(runner, programme, args, message):
    result = runner.invoke(args=["plan", "propose", *args, "--accept"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith(message)
    assert db.session.scalar(select(func.count()).select_from(Rotation)) == 1


def test_no_place_at_all_is_a_clear_message(runner, programme):
    for job_type in (programme["warehouse"], programme["procurement"]):
        job_type.active = False
    db.session.commit()
    result = propose(runner)
    assert result.exit_code == 1 and "no active job types" in result.output


def test_accepting_refuses_all_when_one_no_longer_fits(app, programme):
    proposal = services.propose_plan(services.Scope(), START, 24, 4, today(), seconds=5)
    rows = [(t, r.job_type_id, r.start_date, r.end_date) for t, r in proposal.rotations]
    # meanwhile someone takes the only warehouse place for the whole horizon
    make_rotation(programme["dee"], programme["warehouse"], START, START + timedelta(weeks=30))
    db.session.commit()
    with pytest.raises(services.AcceptError, match="can no longer be accepted as it stands: Warehouse operations is full"):
        services.accept_rotations(rows, None, services.Scope())
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Rotation)) == 2


# --- the pages ----------------------------------------------------------------------------------


def wait_for_run(client, path: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = client.get(path).get_data(as_text=True)
        if "The planner is working" not in page:
            return page
        time.sleep(0.2)
    raise AssertionError("the planning run did not finish")


def test_a_supervisor_proposes_for_their_trainees_in_the_background_and_accepts_one(app, client, auth, programme):
    auth.login("maria@example.com")
    form = client.get("/plan/proposals/new")
    token = csrf_token_from(form)
    response = client.post("/plan/proposals/new", data={
        "csrf_token": token, "cohort": "", "start": START.isoformat(), "weeks": "24", "block_weeks": "4",
    })
    assert response.status_code == 302
    path = response.headers["Location"]
    page = wait_for_run(client, path)
    assert "Ana" in page and "Ben" in page and "Cai" not in page, "only Maria's trainees"
    assert "Capacity with the proposal" in page
    run = db.session.scalar(select(PlanRun))
    ana = programme["ana"].id
    accepted = client.post(f"{path}/accept", data={"csrf_token": csrf_token_from(client.get(path)), "trainees": [str(ana)]})
    assert accepted.status_code == 302
    shown = client.get(path).get_data(as_text=True)
    assert "planned rotation" in shown and "recorded for 1 trainee" in shown
    db.session.expire_all()
    assert db.session.get(PlanRun, run.id).accepted == [ana]
    assert db.session.scalar(select(func.count()).select_from(Rotation).where(Rotation.trainee_id == ana)) > 1
    assert db.session.scalar(select(func.count()).select_from(Rotation).where(Rotation.trainee_id == programme["ben"].id)) == 0


def test_another_supervisor_cannot_see_or_accept_a_run(app, client, auth, programme):
    auth.login("maria@example.com")
    token = csrf_token_from(client.get("/plan/proposals/new"))
    path = client.post("/plan/proposals/new", data={
        "csrf_token": token, "cohort": "", "start": START.isoformat(), "weeks": "24", "block_weeks": "4",
    }).headers["Location"]
    wait_for_run(client, path)
    auth.logout()
    auth.login("david@example.com")
    assert client.get(path).status_code == 404
    token = csrf_token_from(client.get("/plan/proposals/new"))
    assert client.post(f"{path}/accept", data={"csrf_token": token, "all": "1"}).status_code == 404


def test_a_bad_request_is_shown_beside_its_field_and_starts_nothing(app, client, auth, programme):
    auth.login("maria@example.com")
    token = csrf_token_from(client.get("/plan/proposals/new"))
    page = client.post("/plan/proposals/new", data={
        "csrf_token": token, "cohort": "", "start": "2025-06-01", "weeks": "2", "block_weeks": "4",
    })
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "The plan must start today" in text
    assert db.session.scalar(select(func.count()).select_from(PlanRun)) == 0


def test_a_module_only_role_is_listed_as_missing_modules(runner, programme):
    safety = make_module("safety", "Workplace Safety")
    role = make_role("safe", modules=[(safety, 70)])
    set_aims(programme["dee"], role)
    db.session.commit()
    proposal = services.propose_plan(services.Scope(cohort="2025-B"), START, 24, 4, today(), seconds=5)
    (dee,) = [t for t in proposal.trainees if t.trainee_id == programme["dee"].id]
    assert dee.rotations == () and dee.ready_on is None
    assert any("Workplace Safety" in m for m in dee.modules_missing + dee.missing)


def test_every_place_taken_over_the_horizon_is_a_clear_message(runner, programme):
    dee = programme["dee"]
    make_rotation(dee, programme["warehouse"], START, START + timedelta(weeks=30))
    others = [make_trainee(programme["david"], email=f"x{n}@example.com", name=f"X{n}") for n in range(2)]
    for other in others:
        make_rotation(other, programme["procurement"], START, START + timedelta(weeks=30))
    db.session.commit()
    result = propose(runner)
    assert result.exit_code == 1
    assert "No job type the trainees need has a free place between 2025-07-07 and" in result.output
    assert "nothing can be planned" in result.output


def test_a_progress_bar_as_on_a_terminal_and_none_with_quiet(runner, programme, monkeypatch):
    """The runner's standard error is no terminal (so no bar, as in a pipe): here the bar is drawn to one."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    drawn = Terminal()

    class OnTerminal(cli.Progress):
        def __init__(self, label: str, quiet: bool = False, err: bool = False):
            super().__init__(label, quiet, err)
            self.stream, self.shown = drawn, not quiet

    monkeypatch.setattr(planning_cli, "Progress", OnTerminal)
    assert propose(runner, "--quiet").exit_code == 0
    assert drawn.getvalue() == ""
    result = propose(runner)
    assert result.exit_code == 0
    assert "Planning (at most" in drawn.getvalue() and "100%" in drawn.getvalue()
    assert "Planning" not in result.stdout and result.stderr.count("\n") == 1  # the CSV clean, one summary line
