"""A stalled mail server must not hold a request (and the locks it holds) for ever.

Django's SMTP connection waits without limit unless `EMAIL_TIMEOUT` is set; notices are sent from
requests (suspensions, invitations) and from commit hooks of requests, so a mail server that accepts
the connection and then says nothing would stall the practitioner's or team member's page.
"""

from django.conf import settings
from django.core.mail import get_connection


def test_the_smtp_connection_gives_up_after_the_configured_timeout():
    connection = get_connection("django.core.mail.backends.smtp.EmailBackend")
    assert settings.EMAIL_TIMEOUT is not None and 0 < settings.EMAIL_TIMEOUT <= 30
    assert connection.timeout == settings.EMAIL_TIMEOUT
