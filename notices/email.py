"""Email notifications that never undo the action they announce.

An alert, a suspension or an invitation is already recorded (and audited) when its email is sent; a
mail server that is down must not turn that into an error page or roll it back. Failures are logged
with what was being sent, never with the message or the recipients.
"""

import logging
import smtplib

from django.core.mail import send_mail

logger = logging.getLogger(__name__)


def notify_by_email(*, subject: str, message: str, recipients: list[str], what: str) -> bool:
    """Send, or log that sending failed. Returns whether the mail server accepted it."""
    recipients = [r for r in recipients if r]
    if not recipients:
        return False
    try:
        send_mail(subject=subject, message=message, from_email=None, recipient_list=recipients)
    except (OSError, smtplib.SMTPException):
        logger.warning("notification email not sent: %s", what)
        return False
    return True
