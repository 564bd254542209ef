"""The docs stay honest: every setting, command and option is documented, and every link leads somewhere."""
import re
from pathlib import Path

import click
import pytest

from config import TestConfig
from tracker import create_app

PROJECT = Path(__file__).resolve().parent.parent
DOCS = PROJECT / "docs"
README = PROJECT / "README.md"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def settings_read_in_config() -> set[str]:
    return set(re.findall(r'(?:environ\.get|env_flag)\("([A-Z_]+)"', read(PROJECT / "config.py")))


def our_commands() -> dict[str, click.Command]:
    """Every command line the app adds, as `group command` (and `db upgrade` of Flask-Migrate's)."""
    commands = {}
    for name, command in create_app(TestConfig).cli.commands.items():
        if isinstance(command, click.Group):
            wanted = ["upgrade"] if name == "db" else command.commands
            commands.update({f"{name} {sub}": command.commands[sub] for sub in wanted})
        else:
            commands[name] = command
    return commands


def slug(heading: str) -> str:
    """A heading's anchor, as Markdown renderers make it."""
    return re.sub(r"[^a-z0-9 _-]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {slug(line.lstrip("#")) for line in read(path).splitlines() if line.startswith("#")}


def test_every_setting_in_config_is_in_the_settings_doc():
    documented = read(DOCS / "settings.md")
    names = settings_read_in_config()
    assert {"SECRET_KEY", "DATABASE_URL", "TRACKER_JOB_LEASE_SECONDS", "MAIL_USE_TLS"} <= names  # the scan works
    assert sorted(name for name in names if f"`{name}`" not in documented) == []


def test_every_command_and_option_is_in_the_commands_doc():
    documented = read(DOCS / "commands.md")
    commands = our_commands()
    assert {"serve", "demo load", "readiness run", "db upgrade"} <= set(commands)  # the scan works
    assert sorted(line for line in commands if f"`{line}" not in documented) == []
    options = {f"{line} {opt}" for line, command in commands.items() if line != "db upgrade"
               for param in command.params for opt in param.opts if opt.startswith("--")}
    assert sorted(option for option in options if option.rsplit(" ", 1)[1] not in documented) == []


def test_the_readme_links_every_doc_and_no_file_a_clone_lacks():
    readme = read(README)
    assert sorted(doc.name for doc in DOCS.glob("*.md") if f"](docs/{doc.name})" not in readme) == []
    assert "SPEC.md" not in readme


@pytest.mark.parametrize("page", [README, *sorted(DOCS.glob("*.md"))], ids=lambda p: p.name)
def test_every_link_leads_to_a_file_and_heading_that_exist(page):
    broken = []
    for target in LINK.findall(read(page)):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path_part, _, anchor = target.partition("#")
        linked = (page.parent / path_part).resolve() if path_part else page
        if not linked.exists() or (anchor and anchor not in anchors(linked)):
            broken.append(target)
    assert broken == []
