"""A directory of organisations without a database, for tests of pure generation."""

from children.records import SensitiveCategory
from children.synthetic.directory import Directory, LocalDirectory
from children.synthetic.places import PLACES


def offline_directory() -> Directory:
    las = []
    for n, place in enumerate(PLACES[:4]):
        base = 100 * (n + 1)
        las.append(
            LocalDirectory(
                la_id=base,
                place=place,
                settings={
                    "NUR": [base + 1],
                    "PRI": [base + 2, base + 3],
                    "SEC": [base + 4],
                    "COL": [base + 5],
                },
                gp_ids=[base + 6, base + 7],
                services={
                    "HV": [base + 8],
                    "SC": [base + 9],
                    "SN": [base + 10],
                    "YTH": [base + 11],
                    "POL": [base + 12],
                },
                sensitive={
                    SensitiveCategory.MENTAL_HEALTH: [base + 13],
                    SensitiveCategory.SEXUAL_HEALTH: [base + 14],
                    SensitiveCategory.SUBSTANCE_MISUSE: [base + 15],
                },
            )
        )
    return Directory(las)
