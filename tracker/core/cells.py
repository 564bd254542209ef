"""Spreadsheet-safe CSV cells: a cell that would start a formula is marked on export, and unmarked on import.

A spreadsheet opening a CSV file runs a cell that begins with =, +, - or @
(and, in some, a tab or carriage return) as a formula: notes such as
=HYPERLINK(...) would become live links. Exports put a ' in front of such a
cell, which spreadsheets show as text. Imports take that mark off again, so
an exported file imported back changes nothing. A cell that itself begins
with ' is marked too, so that it survives the round trip unchanged.
"""

MARK = "'"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """The cell as an export writes it: text that a spreadsheet would run as a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS + (MARK,)):
        return MARK + value
    return value


def unmarked(text: str) -> str:
    """The cell as an import reads it: the mark an export added is taken off."""
    if text.startswith(MARK) and text[1:].startswith(FORMULA_STARTS + (MARK,)):
        return text[1:]
    return text
