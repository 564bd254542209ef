"""The three imports and their exports, by the name the command line and the upload page use."""
from collections.abc import Callable

from tracker.imports.exports import export_results, export_rotations, export_trainees
from tracker.imports.report import ImportReport
from tracker.imports import results, rotations, trainees
from tracker.imports.results import import_results
from tracker.imports.rotations import import_rotations
from tracker.imports.trainees import import_trainees

IMPORTERS: dict[str, Callable[..., ImportReport]] = {
    "trainees": import_trainees,
    "rotations": import_rotations,
    "results": import_results,
}
EXPORTERS: dict[str, Callable[[], str]] = {
    "trainees": export_trainees,
    "rotations": export_rotations,
    "results": export_results,
}
KINDS = tuple(IMPORTERS)
RACED = "the records changed while the file was being imported (another import or edit at the same moment); nothing was imported, try again"
COLUMNS = {"trainees": trainees.COLUMNS, "rotations": rotations.COLUMNS, "results": results.COLUMNS}


def import_file(kind: str, data: bytes, actor=None) -> ImportReport:
    """Import a file of this kind (flushed, not committed); ImportFailed lists every bad line."""
    return IMPORTERS[kind](data, actor=actor)


def export_file(kind: str) -> str:
    """All records of this kind as CSV in the import format."""
    return EXPORTERS[kind]()
