"""What oversight tells the floors above without importing them.

`alert_stored` is sent once the transaction that stored an alert has committed (never for one rolled
back), with `alert_id`. `oversight.alert_email` hears it and asks the access policy whom to tell: whom the
alert queue would serve is the policy's to say, and the policy sits above oversight.
"""

from django.dispatch import Signal

alert_stored = Signal()
