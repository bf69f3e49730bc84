"""Email notifications that never undo the action they announce.

An alert, a suspension or an invitation is already recorded (and audited) when its email is sent; a
mail server that is down must not turn that into an error page or roll it back. Failures are logged
with what was being sent, never with the message or the recipients.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.core.mail.message import sanitize_address

logger = logging.getLogger(__name__)


def notify_by_email(*, subject: str, message: str, recipients: list[str], what: str) -> bool:
    """Send, or log that sending failed. Returns whether the mail server accepted it."""
    given = [r for r in recipients if r]
    recipients = [r for r in given if _addressable(r)]
    if left_out := len(given) - len(recipients):
        logger.warning(
            "%d recipient%s of a notification email left out (address cannot be sent to): %s",
            left_out,
            "" if left_out == 1 else "s",
            what,
        )
    if not recipients:
        return False
    try:
        send_mail(subject=subject, message=message, from_email=None, recipient_list=recipients)
    except (OSError, smtplib.SMTPException, ValueError):  # ValueError: BadHeaderError, UnicodeError
        logger.warning("notification email not sent: %s", what)
        return False
    return True


def _addressable(address: str) -> bool:
    """Can the mail library put `address` in a header? One stored before the forms refused invisible
    characters (a right-to-left override in the domain) fails to encode: sending it failed the whole
    message (a 500 after the action had committed), and told nobody else on the list.

    Asked as sending asks: the SMTP backend's `sanitize_address`, then the To header built as the message
    builds it (it parses the address again, and refuses some `sanitize_address` accepts: "=\u00e9", a line
    break inside a comment). The standard library's address parser fails on malformed input in ways
    beyond ValueError (`<>` a TypeError, a lone `"` an IndexError, others an AttributeError), so any
    failure of either means the address cannot be sent to; it never escapes a notice.
    """
    try:
        sanitize_address(address, settings.DEFAULT_CHARSET)
        EmailMessage(to=[address]).message()
    except Exception:  # see above: any failure to read the address leaves it out
        return False
    return True
