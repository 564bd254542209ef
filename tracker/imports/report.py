"""What an import did."""
from dataclasses import dataclass


@dataclass(frozen=True)
class ImportReport:
    """Counts of the records an import created, changed and found already as the file says."""

    kind: str
    created: int
    updated: int
    unchanged: int
    invited: int = 0

    def summary(self) -> str:
        """One line for the command line and the upload page."""
        line = f"{self.kind.capitalize()} imported: {self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        return line + (f"; {self.invited} invitation(s) sent." if self.invited else ".")
