"""What the download tests share: the download form's one-use token, the events written, and a build."""

import re

from django.test import Client
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from disclosure.models import DisclosureExport
from disclosure.services import Builder, Built


def download_token(client: Client, export: DisclosureExport) -> str:
    page = client.get(reverse("team:export", args=[export.pk])).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token, "the export page offers no download"
    return token.group(1)


def events(tag: AuditTag) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(tag=tag).order_by("pk"))


def file_built(by: User) -> Builder:
    """The page's build, for a release called directly: a release is never counted without a file
    (`disclosure.services.export_release`). The encrypted file, and what it withheld of each child."""
    from team.disclosure_file import export_built, passphrase_new

    passphrase = passphrase_new()

    def build(export: DisclosureExport, children: list[Child]) -> Built:
        return export_built(export=export, children=children, by=by, passphrase=passphrase)

    return build
