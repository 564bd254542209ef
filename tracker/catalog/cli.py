"""`flask catalog ...`: import and export the catalogue as JSON."""
import json

import click
from flask.cli import AppGroup

from tracker.catalog import services
from tracker.extensions import db
from tracker.web.cli import fail

catalog_cli = AppGroup("catalog", help="Import and export job types, modules and target roles.")


@catalog_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
def import_command(path: str) -> None:
    """Create or update the catalogue from a JSON file; nothing changes if any entry is wrong."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            document = json.load(handle)
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        fail(f"{path} is not valid UTF-8 JSON: {exc}")
    try:
        counts = services.import_catalog(document)
    except services.CatalogError as exc:
        fail(f"{path}: {exc}")
    db.session.commit()
    click.echo(
        f"Catalogue imported: {counts['job_types']} job types, {counts['modules']} modules, "
        f"{counts['roles']} roles created or changed."
    )


@catalog_cli.command("export")
def export_command() -> None:
    """Print the catalogue as JSON, in the import format."""
    click.echo(json.dumps(services.export_catalog(), indent=2, ensure_ascii=False))
