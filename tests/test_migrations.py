"""Migrations: the chain builds the models' schema exactly, and goes down and up again cleanly."""
import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

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
