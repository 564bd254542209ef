"""Uploading an import file."""
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField
from wtforms.validators import InputRequired

from tracker.imports.services import KINDS
from tracker.web.forms import TrackerForm


class ImportForm(TrackerForm):
    """Which kind of file, and the file."""

    kind = SelectField(
        "What the file holds",
        choices=[SelectChoice("", "Choose what the file holds")] + [SelectChoice(kind, kind.capitalize()) for kind in KINDS],
        validators=[InputRequired("Choose what the file holds.")],
    )
    file = FileField("CSV file (UTF-8)", validators=[FileRequired("Choose a CSV file to import.")])
