"""The trainee rotation tracker: a Flask application built by `create_app`."""
import os

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config

PROJECT_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))


def create_app(config_class: type = Config) -> Flask:
    """Build the application: settings, proxies, extensions, blueprints, commands, error pages."""
    app = Flask(
        __name__,
        instance_path=os.path.join(PROJECT_DIR, "instance"),
        template_folder=os.path.join(PROJECT_DIR, "templates"),
        static_folder=os.path.join(PROJECT_DIR, "static"),
    )
    app.config.from_object(config_class)
    require_secret_key(app)
    trust_proxies(app)
    os.makedirs(app.instance_path, exist_ok=True)
    init_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_template_filters(app)
    return app


def require_secret_key(app: Flask) -> None:
    """Refuse to start outside debug and testing without a SECRET_KEY."""
    if app.config.get("SECRET_KEY") or app.debug or app.testing:
        return
    raise SystemExit("SECRET_KEY is not set: set it in the environment to start the tracker outside debug mode.")


def trust_proxies(app: Flask) -> None:
    """Behind TRACKER_PROXY_COUNT reverse proxies, take the client's address, scheme and host from their headers."""
    count = app.config["TRACKER_PROXY_COUNT"]
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def init_extensions(app: Flask) -> None:
    """Attach the unbound extensions to this app, and the clock it tells the time by."""
    from tracker import models  # noqa: F401  (every table must be known to Alembic)
    from tracker.auth.loader import init_login
    from tracker.extensions import compress, csrf, db, migrate
    from tracker.infra.clock import SYSTEM_CLOCK, use_clock
    from tracker.mail import sender  # noqa: F401  (mail queued by a transaction leaves once it commits)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(PROJECT_DIR, "migrations"))
    csrf.init_app(app)
    compress.init_app(app)
    init_login(app)
    use_clock(app, SYSTEM_CLOCK)


def register_blueprints(app: Flask) -> None:
    """Mount each domain's pages, the error pages, the checks every request passes and the headers every response carries."""
    from tracker.audit.routes import bp as audit_bp
    from tracker.auth.routes import bp as auth_bp
    from tracker.catalog.routes import bp as catalog_bp
    from tracker.digest.routes import bp as digest_bp
    from tracker.feeds.routes import bp as feeds_bp
    from tracker.imports.routes import bp as imports_bp
    from tracker.invitations.routes import bp as invitations_bp
    from tracker.mail.routes import bp as mail_bp
    from tracker.main.routes import bp as main_bp
    from tracker.planning.routes import bp as planning_bp
    from tracker.readiness.routes import bp as readiness_bp
    from tracker.scheduler.routes import bp as scheduler_bp
    from tracker.trainees.routes import bp as trainees_bp
    from tracker.users.routes import bp as users_bp
    from tracker.web import headers, inputs
    from tracker.web.errors import bp as errors_bp

    inputs.init_app(app)  # before the routes: their <int:...> take its bounded converter
    for blueprint in (
        main_bp, errors_bp, auth_bp, invitations_bp, trainees_bp, readiness_bp,
        digest_bp, mail_bp, imports_bp, catalog_bp, users_bp, audit_bp, scheduler_bp, planning_bp, feeds_bp,
    ):
        app.register_blueprint(blueprint)
    headers.init_app(app)


def register_commands(app: Flask) -> None:
    """Add each domain's command groups to `flask`."""
    from tracker.catalog.cli import catalog_cli
    from tracker.demo.cli import demo_cli
    from tracker.digest.cli import digest_cli
    from tracker.imports.cli import credits_cli, leave_cli, results_cli, rotations_cli, trainees_cli
    from tracker.mail.cli import mail_cli
    from tracker.main.cli import serve_command
    from tracker.planning.cli import plan_cli
    from tracker.readiness.cli import readiness_cli
    from tracker.scheduler.cli import scheduler_cli
    from tracker.users.cli import users_cli

    for command in (
        users_cli, catalog_cli, demo_cli, serve_command, trainees_cli, rotations_cli, results_cli,
        credits_cli, leave_cli,
        readiness_cli, digest_cli, scheduler_cli, mail_cli, plan_cli,
    ):
        app.cli.add_command(command)


def register_template_filters(app: Flask) -> None:
    """Formatting helpers for templates."""
    from tracker.core.formatting import format_date, format_instant, format_score, plural
    from tracker.readiness.rules import progress_hundredths
    from tracker.web.filters import day_element, moment_element

    app.add_template_filter(format_score, "score")
    app.add_template_filter(format_instant, "instant")
    app.add_template_filter(progress_hundredths, "percent")
    app.add_template_filter(day_element, "day")
    app.add_template_filter(moment_element, "moment")
    app.add_template_filter(format_date, "date_text")
    app.add_template_filter(plural, "plural")


@event.listens_for(Engine, "connect")
def configure_sqlite(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys, write-ahead logging, and wait on locks instead of failing.

    With write-ahead logging, `synchronous=NORMAL` syncs at checkpoints rather than at every commit:
    the database cannot be corrupted, but a power cut (not a crash of the app) may lose the last
    commits. The mail outbox commits twice a message, so an import that invites 2,000 trainees spent
    20 s in fsync alone. PostgreSQL, the production database, is not affected.
    """
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
