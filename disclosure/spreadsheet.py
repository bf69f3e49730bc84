"""Cells of a CSV that leaves the service: spreadsheets run a cell that starts with a formula character."""


def csv_cell(value: object) -> str:
    """Neutralise formula characters (CSV injection) with a leading apostrophe."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
