"""What several misuse tests share: family names distinct enough that no two children are taken for one."""

DISTINCT_FAMILY_NAMES = [
    "Thornton",
    "Begum",
    "Okafor",
    "Nowak",
    "Patel",
    "Hughes",
    "Murray",
    "Quinn",
    "Lewis",
    "Reid",
    "Walsh",
]
