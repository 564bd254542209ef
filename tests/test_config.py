"""Settings come from the environment, and production refuses to start without a secret key."""
import importlib
import subprocess
import sys

import pytest

import config
from tracker import create_app


def test_production_refuses_to_start_without_secret_key():
    no_secret = type("NoSecret", (config.Config,), {"SECRET_KEY": None})
    with pytest.raises(SystemExit) as excinfo:
        create_app(no_secret)
    assert "SECRET_KEY is not set" in str(excinfo.value)


def test_wsgi_without_secret_key_exits_with_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite"}
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"], capture_output=True, text=True, env=env, cwd=config.BASE_DIR
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "SECRET_KEY is not set: set it in the environment to start the tracker outside debug mode."
    ]


def test_development_and_testing_run_without_secret_key():
    assert create_app(config.DevelopmentConfig).config["SECRET_KEY"]


def test_settings_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db/tracker")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.com")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    monkeypatch.setenv("BASE_URL", "https://tracker.example.com/")
    monkeypatch.setenv("TRACKER_TIMEZONE", "Europe/Amsterdam")
    monkeypatch.setenv("TRACKER_READINESS_CRON", "30 1 * * *")
    monkeypatch.setenv("SCHEDULER_ENABLED", "yes")
    monkeypatch.setenv("TRACKER_PROXY_COUNT", "2")
    reloaded = importlib.reload(config)
    try:
        settings = reloaded.Config
        assert settings.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u@db/tracker"
        assert (settings.MAIL_SERVER, settings.MAIL_PORT, settings.MAIL_USE_TLS) == ("smtp.example.com", 587, True)
        assert settings.BASE_URL == "https://tracker.example.com"
        assert settings.SESSION_COOKIE_SECURE is True
        assert settings.TRACKER_TIMEZONE == "Europe/Amsterdam"
        assert settings.TRACKER_READINESS_CRON == "30 1 * * *"
        assert settings.SCHEDULER_ENABLED is True
        assert settings.TRACKER_PROXY_COUNT == 2
    finally:
        monkeypatch.undo()
        importlib.reload(config)


def test_defaults_work_for_development(monkeypatch):
    for name in ("DATABASE_URL", "MAIL_SERVER", "TRACKER_TIMEZONE", "TRACKER_DIGEST_CRON", "SCHEDULER_ENABLED", "TRACKER_PROXY_COUNT"):
        monkeypatch.delenv(name, raising=False)
    reloaded = importlib.reload(config)
    try:
        assert reloaded.Config.SQLALCHEMY_DATABASE_URI.endswith("instance/tracker.sqlite")
        assert reloaded.Config.MAIL_SERVER is None
        assert reloaded.Config.TRACKER_TIMEZONE == "UTC"
        assert reloaded.Config.TRACKER_DIGEST_CRON == "0 7 * * mon"
        assert reloaded.Config.SCHEDULER_ENABLED is False
        assert reloaded.DevelopmentConfig.SCHEDULER_ENABLED is True
        assert reloaded.Config.TRACKER_PROXY_COUNT == 0  # no proxy: X-Forwarded-* headers are ignored
    finally:
        monkeypatch.undo()
        importlib.reload(config)


@pytest.mark.parametrize("env, base_url", [
    ({}, "http://127.0.0.1:5000"),
    ({"TRACKER_PORT": "5050"}, "http://127.0.0.1:5050"),  # `make run PORT=5050`
    ({"TRACKER_PORT": "5050", "BASE_URL": "https://tracker.example.com"}, "https://tracker.example.com"),
])
def test_base_url_follows_the_port_unless_set(monkeypatch, env, base_url):
    for name in ("TRACKER_PORT", "BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        assert importlib.reload(config).Config.BASE_URL == base_url
    finally:
        monkeypatch.undo()
        importlib.reload(config)
