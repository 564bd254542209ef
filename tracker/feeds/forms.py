"""The buttons that make and revoke a calendar feed address (each needs only its CSRF token)."""
from tracker.web.forms import ConfirmForm


class MakeFeedForm(ConfirmForm):
    """Make a new feed address (an earlier one stops working)."""


class RevokeFeedForm(ConfirmForm):
    """Stop the feed address working."""
