"""Migrations: the chain builds the models' schema exactly, and goes down and up again cleanly."""
import json
import os
import uuid
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import DateTime, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from tests.conftest import config_for
from tracker import create_app
from tracker.extensions import db

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(params=DATABASES)
def empty_database(request, tmp_path):
    """A brand-new, empty database of each kind, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/migrations.sqlite"
        return
    server = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"tracker_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def schema_drift() -> list:
    """What autogenerate would still change: empty when migrations and models agree."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade_round_trip(empty_database):
    app = create_app(config_for(empty_database))
    with app.app_context():
        upgrade()
        assert table_names() == set(db.metadata.tables)
        assert schema_drift() == []
        downgrade(revision="base")
        assert table_names() == set()
        upgrade()
        assert schema_drift() == []
        db.session.remove()
        db.engine.dispose()


def test_flask_db_check_reports_no_drift(empty_database):
    app = create_app(config_for(empty_database))
    runner = app.test_cli_runner()
    with app.app_context():
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        result = runner.invoke(args=["db", "check"])
        db.session.remove()
        db.engine.dispose()
    assert result.exit_code == 0, result.output


# --- one outbox for every mail: digest deliveries move into mail_messages and back --------------

MAIL_OUTBOX = "0006_mail_outbox"
DELIVERY_COLUMNS = (
    "id, recipient_id, iso_week, status, attempts, last_error, skip_reason, next_attempt_at, message_id, subject, "
    "body_text, body_html, created_at, sent_at"
)
LINK = "https://tracker.example.org/digest/unsubscribe/eyJ1bnN1YnNjcmliZSI6Mn0.XiAWHUyyPwmEu4FdCKe"


def revision_before(revision: str) -> str:
    migrate = current_app.extensions["migrate"]
    script = ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))
    return script.get_revision(revision).down_revision


def legacy_deliveries(connection, user_id: int) -> None:
    """A sent, a pending (backing off, with an error), a skipped and a failed delivery, with gaps in their ids."""
    t = datetime(2026, 11, 23, 7, 0)
    rows = [
        dict(id=5, iso_week="2026-W47", status="sent", attempts=1, last_error=None, skip_reason=None,
             next_attempt_at=None, sent_at=t),
        dict(id=9, iso_week="2026-W48", status="pending", attempts=2, last_error="mail server unreachable: refused",
             skip_reason=None, next_attempt_at=datetime(2026, 11, 23, 7, 20), sent_at=None),
        dict(id=12, iso_week="2026-W49", status="skipped", attempts=0, last_error=None, skip_reason="nothing_to_report",
             next_attempt_at=None, sent_at=None),
        dict(id=20, iso_week="2026-W50", status="failed", attempts=1, last_error="550 5.1.1 No such user",
             skip_reason=None, next_attempt_at=None, sent_at=None),
    ]
    for row in rows:
        connection.execute(text(
            f"INSERT INTO digest_deliveries ({DELIVERY_COLUMNS}) VALUES (:id, :recipient_id, :iso_week, :status, :attempts, "
            ":last_error, :skip_reason, :next_attempt_at, :message_id, :subject, :body_text, :body_html, :created_at, :sent_at)"
        ), {
            **row, "recipient_id": user_id, "message_id": f"<digest.{row['iso_week']}.user{user_id}@localhost>",
            "subject": f"Readiness digest, week {row['iso_week']}", "body_html": "<p>Hello</p>", "created_at": t,
            "body_text": f"Hello\n\n--\nStop it with one click: {LINK}\nOr change it in your settings: https://x/settings\n",
        })


def read(connection, sql: str) -> list:
    """Rows as tuples, times read as times (SQLite keeps them as text, in more than one spelling)."""
    times = {name: DateTime for name in ("next_attempt_at", "created_at", "sent_at", "lease_expires_at", "expires_at")}
    statement = text(sql).columns(**{name: kind for name, kind in times.items() if name in sql})
    return [tuple(row) for row in connection.execute(statement)]


def test_digest_deliveries_move_into_the_outbox_and_back(empty_database):
    app = create_app(config_for(empty_database))
    with app.app_context():
        before = revision_before(MAIL_OUTBOX)
        upgrade(revision=before)
        with db.engine.begin() as connection:
            user_id = connection.execute(text(
                "INSERT INTO users (email, name, role, active, digest_subscribed, created_at) "
                "VALUES ('maria@example.com', 'Maria Lopez', 'supervisor', :yes, :yes, :now) RETURNING id"
            ), {"yes": True, "now": datetime(2026, 1, 1)}).scalar()
            legacy_deliveries(connection, user_id)
            original = read(connection, f"SELECT {DELIVERY_COLUMNS} FROM digest_deliveries ORDER BY id")

        upgrade(revision=MAIL_OUTBOX)
        assert "digest_deliveries" not in table_names()
        with db.engine.begin() as connection:
            moved = read(connection, f"SELECT {DELIVERY_COLUMNS} FROM mail_messages ORDER BY id")
            assert moved == original
            assert read(connection, "SELECT DISTINCT kind, address, lease_expires_at, expires_at FROM mail_messages") == [
                ("digest", "maria@example.com", None, None)
            ]
            headers = connection.execute(text("SELECT headers FROM mail_messages WHERE id = 9")).scalar()
            headers = headers if isinstance(headers, dict) else json.loads(headers)
            assert headers == {
                "List-Unsubscribe": f"<{LINK}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated",
            }
            invitation_id = connection.execute(text(
                "INSERT INTO mail_messages (kind, recipient_id, address, subject, body_text, body_html, message_id, headers, "
                "status, attempts, created_at) VALUES ('invitation', :user, 'maria@example.com', 'Set your password', "
                "'Hello', '', '<i@localhost>', '{}', 'pending', 0, :now) RETURNING id"
            ), {"user": user_id, "now": datetime(2026, 11, 24)}).scalar()
            assert invitation_id > 20  # new mail is numbered after the copied deliveries

        downgrade(revision=before)
        assert "mail_messages" not in table_names()
        with db.engine.begin() as connection:
            assert read(connection, f"SELECT {DELIVERY_COLUMNS} FROM digest_deliveries ORDER BY id") == original
        upgrade()
        assert schema_drift() == []


def revision_before(revision: str) -> str:
    """The revision a migration is chained on (whatever the merge order made it)."""
    from alembic.script import ScriptDirectory
    from flask import current_app

    return ScriptDirectory(current_app.extensions["migrate"].directory).get_revision(revision).down_revision


def add_job_type(code: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO job_types (code, name, description, active) VALUES (:code, :code, '', :yes)"),
            {"code": code, "yes": True},
        )


def job_type_codes() -> list[str]:
    with db.engine.connect() as connection:
        return list(connection.execute(text("SELECT code FROM job_types ORDER BY id")).scalars())


def current_revision() -> str:
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_codes_differing_only_in_case_stop_the_upgrade_with_their_names(empty_database, capfd):
    app = create_app(config_for(empty_database))
    with app.app_context():
        before = revision_before("0004_codes_keep_case")
        upgrade(revision=before)
        for code in ("ops", "OPS", "audit"):
            add_job_type(code)
        capfd.readouterr()
        with pytest.raises(SystemExit):  # `flask db upgrade` exits 1 with the message
            upgrade(revision="0004_codes_keep_case")
        assert "differ only in case: job_types: 'OPS' and 'ops'. Rename all but one" in capfd.readouterr().err
        assert current_revision() == before and job_type_codes() == ["ops", "OPS", "audit"]
        db.session.remove()
        db.engine.dispose()


def test_codes_are_unique_regardless_of_case_in_the_database_and_a_downgrade_lower_cases_them(empty_database):
    app = create_app(config_for(empty_database))
    with app.app_context():
        upgrade()
        add_job_type("SCM201")
        with pytest.raises(IntegrityError):
            add_job_type("scm201")
        indexes = {
            "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'uq_%_lower_code'",
            "postgresql": "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'uq_%_lower_code'",
        }[db.engine.dialect.name]
        with db.engine.connect() as connection:
            assert set(connection.execute(text(indexes)).scalars()) == {
                "uq_job_types_lower_code", "uq_training_modules_lower_code", "uq_target_roles_lower_code",
            }
        downgrade(revision=revision_before("0004_codes_keep_case"))
        assert job_type_codes() == ["scm201"]
        db.session.remove()
        db.engine.dispose()


OLD_FLAGS = [
    ("INSERT INTO users (id, email, name, role, active, digest_subscribed, created_at) VALUES "
     "(1, 'sam@example.com', 'Sam', 'supervisor', :yes, :yes, '2026-01-01 00:00:00'), "
     "(2, 'rita@example.com', 'Rita', 'trainee', :yes, :yes, '2026-01-01 00:00:00')"),
    ("INSERT INTO target_roles (id, code, name, description, min_total_weeks, min_distinct_job_types, active) "
     "VALUES (1, 'audit', 'Audit', '', 0, 0, :yes)"),
    ("INSERT INTO trainees (id, user_id, supervisor_id, start_date, cohort, status, version) "
     "VALUES (1, 2, 1, '2025-01-06', '2025-A', 'active', 1)"),
    ("INSERT INTO readiness_flags (trainee_id, role_id, raised_on, decision, decision_on, decision_reason, snapshot) "
     "VALUES (1, 1, '2026-01-01', 'deferred', '2026-01-02', 'Spring intake', '{}'), (1, 1, '2026-02-01', NULL, NULL, NULL, '{}')"),
]


def test_existing_deferrals_get_no_revisit_date_and_the_open_flag_rule_survives_the_rebuild(empty_database):
    app = create_app(config_for(empty_database))
    with app.app_context():
        upgrade(revision=revision_before("0005_deferral_revisit"))
        with db.engine.begin() as connection:
            for statement in OLD_FLAGS:
                connection.execute(text(statement), {"yes": True})
        upgrade(revision="0005_deferral_revisit")
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT decision, revisit_on FROM readiness_flags ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [("deferred", None), (None, None)]
        with pytest.raises(IntegrityError), db.engine.begin() as connection:  # still one open flag per trainee and role
            connection.execute(text("INSERT INTO readiness_flags (trainee_id, role_id, raised_on, snapshot) VALUES (1, 1, '2026-03-01', '{}')"))
        with pytest.raises(IntegrityError), db.engine.begin() as connection:  # a revisit date comes after the deferral
            connection.execute(text("UPDATE readiness_flags SET revisit_on = decision_on WHERE decision = 'deferred'"))
        downgrade(revision=revision_before("0005_deferral_revisit"))
        db.session.remove()
        db.engine.dispose()
