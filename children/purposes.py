"""Why a practitioner opens a record: asked before every view, stored in the audit log."""

PURPOSE_CHOICES = (
    ("providing_service", "Providing or arranging a service for this child"),
    ("safeguarding", "A safeguarding or child protection concern"),
    ("contact_practitioner", "Finding another practitioner to contact"),
    ("checking_details", "Checking or updating details held"),
    ("other", "Another reason (give details)"),
)
PURPOSE_LABELS = dict(PURPOSE_CHOICES)
