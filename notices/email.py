"""Email notifications that never undo the action they announce.

An alert, a suspension or an invitation is already recorded (and audited) when its email is sent; a
mail server that is down must not turn that into an error page or roll it back. Failures are logged
with what was being sent, never with the message or the recipients.
"""

import logging
import smtplib
import traceback
from collections.abc import Callable
from contextlib import suppress

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import sanitize_address
from django.db import transaction

logger = logging.getLogger(__name__)


def notify_after_commit(send: Callable[[], object], *, what: str) -> None:
    """Run `send` (an email, with the reads that choose its recipients) once the transaction commits,
    never failing the request that committed.

    Registered plainly, an error in one (a database error just after the commit, the connection lost)
    escaped from the commit: a server error on a page whose action was done and audited, and every
    callback registered after it skipped. Django's `robust=True` logs the error's message, which may quote
    values. Here it is logged by `what` (ids only, as `notify_by_email`'s lines), the error's kind and where
    it was raised, never its message."""

    def quietly() -> None:
        try:
            send()
        except Exception as error:  # the action stands whatever failed after it
            logger.error(
                "notification not sent after the commit (%s): %s\n%s",
                type(error).__name__,
                what,
                "".join(traceback.format_tb(error.__traceback__)),
            )

    transaction.on_commit(quietly)


def notify_by_email(*, subject: str, message: str, recipients: list[str], what: str) -> bool:
    """Send each recipient a message of their own, or log what failed. Returns whether the mail server
    accepted the message of every recipient sent to: False if there was nobody to send to, the server
    could not be reached, or any one message was refused. Addresses the mail library cannot read are
    left out beforehand (logged, by count) and not counted.

    One message each, never one with everyone in To (or Cc): an alert or a brokering email would show
    each member of an LA team, or each system administrator, the address of every other one told. Not
    Bcc either: one message refused (a mailbox since removed, a rejected header) loses only that
    recipient's, and the others are still told. All go over one connection, so a server that cannot
    be reached is tried once (and waited for at most `EMAIL_TIMEOUT`), not once per recipient.
    """
    given = [r for r in recipients if r]
    addresses = list(dict.fromkeys(r for r in given if _addressable(r)))
    if left_out := len([r for r in given if r not in addresses]):
        logger.warning(
            "%d recipient%s of a notification email left out (address cannot be sent to): %s",
            left_out,
            "" if left_out == 1 else "s",
            what,
        )
    if not addresses:
        return False
    connection = get_connection()
    try:
        connection.open()
    except (OSError, ValueError):  # smtplib's errors are OSErrors (refused, timed out, login refused)
        logger.warning("notification email not sent: %s", what)
        return False
    try:
        not_sent = _each_sent(connection, subject=subject, message=message, addresses=addresses)
    finally:
        with suppress(OSError, ValueError):
            connection.close()
    if not_sent == len(addresses):
        logger.warning("notification email not sent: %s", what)
    elif not_sent:
        logger.warning(
            "notification email not sent to %d of %d recipients: %s", not_sent, len(addresses), what
        )
    return not_sent == 0


def _each_sent(connection: BaseEmailBackend, *, subject: str, message: str, addresses: list[str]) -> int:
    """Send one message to each address over the open `connection`; how many were not sent.

    A message the server refuses (its recipient, sender or data) leaves the session usable (smtplib
    resets it), so the next recipient is still tried. A lost or silent connection (a timeout leaves the
    session out of step) fails every message after it: they are counted as not sent rather than each
    waiting out its own timeout inside the request.
    """
    not_sent = 0
    for tried, address in enumerate(addresses):
        try:
            EmailMessage(subject=subject, body=message, to=[address], connection=connection).send()
        except smtplib.SMTPServerDisconnected:
            return not_sent + len(addresses) - tried
        except (smtplib.SMTPException, ValueError):  # this one refused; ValueError: BadHeaderError
            not_sent += 1
        except OSError:  # the connection itself: reset, timed out
            return not_sent + len(addresses) - tried
    return not_sent


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
