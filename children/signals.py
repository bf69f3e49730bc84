"""Signals children sends, or lets the floors beside it send, for floors above it to act on.

A floor above (coordination) keeps rows derived from a child's data and may not be imported by the floors
that change that data (corrections, its sibling); it listens here instead.
"""

from django.dispatch import Signal

# Sent inside the transaction that changed a carer's name or contact details on a child's record, with
# `child`. Receivers rebuild what they derive from carers (coordination's carer keys for family matches)
# in that same transaction, so a corrected detail never keeps linking the child to a family.
carer_details_changed = Signal()

# Sent inside the transaction that lifted a child's shield, with `child`. Receivers tell what the shield
# withheld (coordination: the matches nobody was told of) in that transaction, emailing after its commit.
shield_lifted = Signal()

# Sent inside the transaction that shielded a child (the LA team's decision, or a merge carrying a shield
# over), with `child`. Receivers move what was waiting to be judged about the child by people who may no
# longer see it (linkage: an open clerical review naming it) to the child's LA team.
shield_applied = Signal()

# Sent inside the transaction that archived a child's record or closed it for a new identity, with
# `child`. Receivers end what was waiting on the record (corrections: a pending one lapses) in that
# transaction, since nobody may decide anything on such a record any more.
record_ended = Signal()
