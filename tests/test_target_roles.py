"""Target roles: set in order of preference by a trainee's supervisor or an admin, in trainees.csv, audited and shown."""
import pytest
from sqlalchemy import select

from tests.conftest import post_form
from tests.factories import make_role, make_trainee, make_user
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.trainees import queries, services


@pytest.fixture
def world(app):
    maria = make_user("supervisor", email="maria@example.com", name="Maria Lopez")
    world = {
        "maria": maria,
        "david": make_user("supervisor", email="david@example.com"),
        "admin": make_user("admin", email="admin@example.com"),
        "amelia": make_trainee(supervisor=maria, email="amelia@example.com", name="Amelia Hughes"),
        "strategy": make_role("strategy"),
        "audit": make_role("audit"),
        "scm": make_role("supply-chain"),
    }
    world["strategy"].name, world["audit"].name, world["scm"].name = "Operations strategy", "Internal auditing", "Supply-chain management"
    db.session.commit()
    return world


def codes_of(trainee) -> list[str]:
    return [role.code for role in queries.target_roles_of(trainee)]


def role_events(trainee) -> list[tuple]:
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "trainees", AuditEvent.trainee_id == trainee.id)
                                .order_by(AuditEvent.id))
    return [(e.before, e.after) for e in events if "target_roles" in (e.after or {})]


# --- the service ---------------------------------------------------------------------


def test_target_roles_are_kept_in_order_and_each_change_is_audited(world):
    amelia, actor = world["amelia"], world["maria"]
    services.set_target_roles(amelia, [world["audit"], world["strategy"]], actor=actor)
    db.session.commit()
    assert codes_of(amelia) == ["audit", "strategy"]
    services.set_target_roles(amelia, [world["strategy"], world["audit"]], actor=actor)
    services.set_target_roles(amelia, [world["strategy"], world["audit"]], actor=actor)  # no change: no event
    db.session.commit()
    assert codes_of(amelia) == ["strategy", "audit"]
    assert role_events(amelia) == [
        ({"target_roles": []}, {"target_roles": ["audit", "strategy"]}),
        ({"target_roles": ["audit", "strategy"]}, {"target_roles": ["strategy", "audit"]}),
    ]


def test_a_role_twice_or_a_retired_role_is_refused(world):
    with pytest.raises(services.RecordError, match="Internal auditing is chosen more than once"):
        services.set_target_roles(world["amelia"], [world["audit"], world["audit"]])
    db.session.rollback()
    services.set_target_roles(world["amelia"], [world["audit"]])
    world["audit"].active = world["scm"].active = False
    db.session.commit()
    with pytest.raises(services.RecordError, match="no longer in use"):
        services.set_target_roles(world["amelia"], [world["audit"], world["scm"]])
    db.session.rollback()
    services.set_target_roles(world["amelia"], [world["strategy"], world["audit"]])  # a retired role it had may stay
    assert codes_of(world["amelia"]) == ["strategy", "audit"]


# --- the form and the pages ------------------------------------------------------------


def test_the_supervisor_sets_target_roles_and_they_show_on_the_page_list_and_board(client, auth, world):
    amelia = world["amelia"]
    auth.login("maria@example.com")
    form = f"/trainees/{amelia.id}/target-roles"
    response = post_form(client, form, {"target_roles-0": "supply-chain", "target_roles-1": "", "target_roles-2": "strategy"})
    assert response.status_code == 302
    assert codes_of(amelia) == ["supply-chain", "strategy"]
    page = client.get(f"/trainees/{amelia.id}").get_data(as_text=True)
    section = page.split('id="target-roles-heading"')[1].split("</section>")[0]
    assert "<li>Supply-chain management</li><li>Operations strategy</li>" in section
    assert "Supply-chain management, Operations strategy" in client.get("/trainees/").get_data(as_text=True)
    board = client.get("/readiness/").get_data(as_text=True)
    # Roles without requirements: Amelia is ready for each, and each board names her aims, its own role in bold.
    assert "Aims for: <strong>Supply-chain management</strong>, Operations strategy" in board
    assert "Aims for: Supply-chain management, <strong>Operations strategy</strong>" in board


def test_a_repeated_choice_is_shown_beside_it_and_nothing_is_saved(client, auth, world):
    amelia = world["amelia"]
    auth.login("admin@example.com")
    response = post_form(client, f"/trainees/{amelia.id}/target-roles", {"target_roles-0": "audit", "target_roles-1": "AUDIT"})
    assert response.status_code == 200
    assert "Internal auditing is already chosen above." in response.get_data(as_text=True)
    assert codes_of(amelia) == []


@pytest.mark.parametrize(("who", "status"), [("david@example.com", 403), ("amelia@example.com", 403), ("admin@example.com", 200)])
def test_only_the_trainees_supervisor_or_an_admin_may_change_them(client, auth, world, who, status):
    if who == "amelia@example.com":
        world["amelia"].user.password_hash = world["maria"].password_hash
        db.session.commit()
    auth.login(who)
    assert client.get(f"/trainees/{world['amelia'].id}/target-roles").status_code == status


# --- trainees.csv --------------------------------------------------------------------

HEADER = "email,name,supervisor_email,start_date,cohort"


def run_import(runner, tmp_path, text: str):
    path = tmp_path / "t.csv"
    path.write_text(text)
    return runner.invoke(args=["trainees", "import", str(path)])


def test_the_import_sets_target_roles_and_the_export_round_trips(runner, tmp_path, world):
    text = (f"{HEADER},target_roles\n"
            "ben@example.com,Ben Carter,maria@example.com,2025-01-06,2025-A,AUDIT; strategy\n"
            "amelia@example.com,Amelia Hughes,maria@example.com,2025-01-06,2025-A,supply-chain\n")
    result = run_import(runner, tmp_path, text)
    assert result.exit_code == 0, result.output
    ben = queries.filter_trainees(select(queries.Trainee), name="Ben")
    ben = db.session.scalars(ben).unique().one()
    assert codes_of(ben) == ["audit", "strategy"] and codes_of(world["amelia"]) == ["supply-chain"]
    assert role_events(world["amelia"]) == [({"target_roles": []}, {"target_roles": ["supply-chain"]})]
    exported = runner.invoke(args=["trainees", "export"]).output
    assert exported.splitlines()[0] == f"{HEADER},target_roles"
    assert "ben@example.com,Ben Carter,maria@example.com,2025-01-06,2025-A,audit;strategy" in exported
    again = run_import(runner, tmp_path, exported)
    assert again.exit_code == 0 and "0 created, 0 updated" in again.output.replace("trainees: ", ""), again.output


def test_without_the_column_target_roles_stay_and_an_empty_cell_clears_them(runner, tmp_path, world):
    services.set_target_roles(world["amelia"], [world["audit"]])
    db.session.commit()
    assert run_import(runner, tmp_path, f"{HEADER}\namelia@example.com,Amelia H,maria@example.com,2025-01-06,2025-A\n").exit_code == 0
    assert codes_of(world["amelia"]) == ["audit"]
    assert run_import(runner, tmp_path, f"{HEADER},target_roles\namelia@example.com,Amelia H,maria@example.com,2025-01-06,2025-A,\n").exit_code == 0
    assert codes_of(world["amelia"]) == []


def test_bad_target_roles_are_reported_and_nothing_is_saved(runner, tmp_path, world):
    world["scm"].active = False
    db.session.commit()
    result = run_import(runner, tmp_path, f"{HEADER},target_roles\n"
                        "amelia@example.com,Amelia Hughes,maria@example.com,2025-01-06,2025-A,audit;nope\n"
                        "ben@example.com,Ben Carter,maria@example.com,2025-01-06,2025-A,audit;Audit\n"
                        "cara@example.com,Cara Diaz,maria@example.com,2025-01-06,2025-A,supply-chain\n")
    assert result.exit_code == 1
    assert "line 2: target_roles: unknown role 'nope'" in result.output
    assert "line 3: target_roles: audit is named more than once" in result.output
    assert "line 4: target_roles: supply-chain is no longer in use" in result.output
    assert codes_of(world["amelia"]) == []
