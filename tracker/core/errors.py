"""The one base of every refusal the tracker explains to a person."""


class TrackerError(ValueError):
    """A rule refused an input or a change; the message says why, in words for the person who made it.

    `field` names the form field the message belongs beside (None: the whole form or command).
    Every domain's refusals (UserError, CatalogError, RecordError, DecisionError, ...) derive from it,
    so a view or command catches one kind of error and shows its message.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
