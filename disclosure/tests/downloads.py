"""What the download race tests share: the download form's one-use token, and the events written."""

import re

from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from disclosure.models import DisclosureExport


def download_token(client: Client, export: DisclosureExport) -> str:
    page = client.get(reverse("team:export", args=[export.pk])).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token, "the export page offers no download"
    return token.group(1)


def events(tag: AuditTag) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(tag=tag).order_by("pk"))
