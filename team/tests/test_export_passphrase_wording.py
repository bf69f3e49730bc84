"""The export page says what is true of the passphrase.

It said the passphrase "will not be shown again", but every showing of the page makes a new one
(`team.exports._detail`), and the file is encrypted with the one on the page the download was sent
from (the form carries it signed, for 30 minutes). Someone who reloaded the page believing the words
would give the recipient a passphrase that does not open the file they sent. The page now says so.
"""

import io
import re

import pytest
import pyzipper
from django.urls import reverse

from accounts.models import Role
from team.disclosure_file import PASSPHRASE_VALID_SECONDS
from team.tests.test_disclosure_exports import _approved
from tests.journeys import signed_in
from tests.pages import rendered
from tests.personas import make_child, make_user

pytestmark = pytest.mark.django_db

PASSPHRASE = re.compile(r'id="export-passphrase"><code>([\w-]+)</code>')
TOKEN = re.compile(r'name="token" value="([^"]+)"')


def _said(page: str) -> str:
    """The page's words, tags stripped and white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def _showing(client, export) -> tuple[str, str, str]:
    page = rendered(client.get(reverse("team:export", args=[export.pk])), heading="Disclosure export")
    passphrase, token = PASSPHRASE.search(page), TOKEN.search(page)
    assert passphrase and token, "the export page offers no download"
    return page, passphrase.group(1), token.group(1)


def _opens(body: bytes, passphrase: str) -> bool:
    with pyzipper.AESZipFile(io.BytesIO(body)) as archive:
        archive.setpassword(passphrase.encode())
        try:
            archive.read(archive.namelist()[0])
        except RuntimeError:  # "Bad password"
            return False
    return True


def test_the_page_says_each_showing_has_a_new_passphrase_and_which_one_opens_the_file(world):
    export = _approved(world, make_user("leo", world.north, Role.LA_TEAM), [make_child(world)])
    page, _, _ = _showing(signed_in(world.lena), export)
    said = _said(page)
    assert "will not be shown again" not in said
    assert "It will only open with the passphrase shown on the page you download it from." in said
    assert "Each time you open or reload this page, you get a new passphrase." in said
    minutes = PASSPHRASE_VALID_SECONDS // 60
    assert f"Download the file from this page within {minutes} minutes." in said
    assert "Give it to the recipient separately from the file, for example by phone." in said


def test_what_the_page_says_is_true_two_showings_two_passphrases_the_file_opens_with_the_one_it_came_from(
    world,
):
    export = _approved(world, make_user("leo", world.north, Role.LA_TEAM), [make_child(world)])
    client = signed_in(world.lena)
    _, first, first_token = _showing(client, export)
    _, second, _ = _showing(client, export)
    assert first != second  # a new passphrase for each showing

    response = client.post(reverse("team:export_download", args=[export.pk]), {"token": first_token})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert _opens(response.content, first)  # the page the download was sent from
    assert not _opens(response.content, second)  # not the newer page's
