"""Cells of a CSV that leaves the service: spreadsheets run a cell that starts with a formula character.

The file is written with "," between cells, but a spreadsheet in a locale whose list separator is ";"
(most of Europe) splits on ";" instead. Python's CSV writer quotes a cell holding a comma, never one
holding a semicolon, so "Flat 1;=cmd|' /C calc'!A0" became two cells there, the second a formula. Each
part a ";" can start is therefore neutralised as the cell's start is.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _neutral(part: str) -> str:
    """A leading apostrophe (after any spaces, which some spreadsheets trim) if the part starts a formula."""
    text = part.lstrip(" ")
    if text[:1] not in FORMULA_STARTS:
        return part
    return f"{part[: len(part) - len(text)]}'{text}"


def csv_cell(value: object) -> str:
    """Neutralise formula characters (CSV injection) at the start of the cell and after every ";"."""
    return ";".join(_neutral(part) for part in str(value).split(";"))
