"""The imports and their exports, by the name the command line and the upload page use.

A new kind of file is an Importer (see pipeline.py) added to IMPORTERS, and its export to EXPORTERS.
"""
from collections.abc import Callable

from tracker.imports.credits import CreditsImport
from tracker.imports.exports import export_credits, export_leave, export_results, export_rotations, export_trainees
from tracker.imports.leave import LeaveImport
from tracker.imports.pipeline import Importer
from tracker.imports.report import ImportReport
from tracker.imports.results import ResultsImport
from tracker.imports.rotations import RotationsImport
from tracker.imports.trainees import TraineesImport

IMPORTERS: dict[str, Importer] = {
    importer.kind: importer
    for importer in (TraineesImport(), RotationsImport(), ResultsImport(), CreditsImport(), LeaveImport())
}
EXPORTERS: dict[str, Callable[[], str]] = {
    "trainees": export_trainees,
    "rotations": export_rotations,
    "results": export_results,
    "credits": export_credits,
    "leave": export_leave,
}
KINDS = tuple(IMPORTERS)
RACED = "the records changed while the file was being imported (another import or edit at the same moment); nothing was imported, try again"
COLUMNS = {kind: importer.columns for kind, importer in IMPORTERS.items()}


def import_file(kind: str, data: bytes, actor=None, progress=None) -> ImportReport:
    """Import a file of this kind (flushed, not committed); ImportFailed lists every bad line.

    `progress(done, total)`, if given, is told now and then how far the import is.
    """
    return IMPORTERS[kind].run(data, actor=actor, progress=progress)


def export_file(kind: str) -> str:
    """All records of this kind as CSV in the import format."""
    return EXPORTERS[kind]()
