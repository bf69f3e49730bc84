"""The approved disclosure file: built from the vault at download time, in memory, AES-encrypted.

2007 lesson: a lost export must reveal nothing readable. The CSV exists only inside this request's
memory; what leaves is a ZIP whose one entry is AES-256 encrypted (WinZip AES, read by 7-Zip, WinZip
and macOS Archive Utility) under a passphrase the requester is shown once and hands over separately.
The passphrase is generated here, never chosen by a person, and never stored: the page that shows it
carries it signed (so a form cannot swap in a weak one) and it expires with the signature.
"""

import csv
import io
import secrets
from collections.abc import Callable
from functools import partial
from typing import Any

import pyzipper
from django.core import signing

from access.permissions import Permission
from access.policy import decide, disclosure_visibility, visible_involvements
from accounts.models import Organisation, User
from children.merged_away import RecordRemoved, opened_unless_merged_away
from children.models import Child
from children.records import AddressStatus, ReturnIntention
from children.selectors import ChildRecordView, InvolvementView, child_record
from disclosure.fields import EXPORT_FIELDS, SHIELDED_VISIBLE, SHIELDED_WITHHELD
from disclosure.models import DisclosureExport
from disclosure.services import WITHHELD_REMOVED as REMOVED
from disclosure.services import WITHHELD_SHIELDED as SHIELDED
from disclosure.services import Built, Withheld
from disclosure.spreadsheet import csv_cell

# No 0/o, 1/l/i: read aloud over the phone. (Not a password: the characters one is drawn from.)
PASSPHRASE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105
PASSPHRASE_GROUPS = 6
PASSPHRASE_GROUP_LENGTH = 4  # 24 characters from 31: about 119 bits
PASSPHRASE_SALT = "team.disclosure_file.passphrase"  # noqa: S105 (a signing namespace, not a secret)
PASSPHRASE_VALID_SECONDS = 30 * 60
# A record whose own key a merge or purge shredded before failing: its rows wait (`RecordRemoved`).
WITHHELD_REMOVED = "Withheld: record removed"
WITHHELD_NOW = {
    "archived": "Withheld: record archived since the request",
    "other_la": "Withheld: no longer held by your local authority",
    # A record is closed only for a new identity (adoption, witness protection, a risk of harm), and the
    # file goes outside the system: "closed since the request" told a court or the police that the child
    # they named now lives under another identity. Said as a record removed is, which gives no reason.
    # (The download's audit, for the LA team and auditors, still records the reason `closed`.)
    "closed": WITHHELD_REMOVED,
}
# A shielded child (as stored) moved to another LA: the move and where to are what the shield hides (the
# subject access report leaves a shielded child's moves out). Said as a record removed is, as a closed one
# is: a wording of its own (or "Withheld", which no other reason gives) would single the move out.
# (The download's audit still records the reason `other_la`.)
WITHHELD_SHIELDED_NOW = {"other_la": WITHHELD_REMOVED}


def _withheld_now(reason: str, *, shielded: bool) -> str:
    """What each cell of a child the export no longer carries says: why, unless that tells what a shield
    hides (`WITHHELD_SHIELDED_NOW`) or what a new identity hides (`WITHHELD_NOW["closed"]`)."""
    if shielded and reason in WITHHELD_SHIELDED_NOW:
        return WITHHELD_SHIELDED_NOW[reason]
    return WITHHELD_NOW.get(reason, "Withheld")


def passphrase_new() -> str:
    groups = (
        "".join(secrets.choice(PASSPHRASE_ALPHABET) for _ in range(PASSPHRASE_GROUP_LENGTH))
        for _ in range(PASSPHRASE_GROUPS)
    )
    return "-".join(groups)


def passphrase_token(*, passphrase: str, export: DisclosureExport) -> str:
    """The passphrase as the download form carries it: signed for this export, so it cannot be swapped."""
    return signing.dumps({"export": str(export.pk), "passphrase": passphrase}, salt=PASSPHRASE_SALT)


def passphrase_from_token(*, token: str, export: DisclosureExport) -> str | None:
    """The passphrase the page showed, or None if the token is forged, for another export, or too old."""
    try:
        value: Any = signing.loads(token, salt=PASSPHRASE_SALT, max_age=PASSPHRASE_VALID_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("export") != str(export.pk):
        return None
    passphrase = value.get("passphrase")
    return passphrase if isinstance(passphrase, str) else None


def _address(record: ChildRecordView) -> str:
    address = record.details.address
    if address.status == AddressStatus.NO_KNOWN_ADDRESS:
        return "No known address"
    if address.status == AddressStatus.LEFT_ENGLAND:
        intention = ReturnIntention.LABELS.get(address.return_intention or ReturnIntention.UNKNOWN, "")
        return f"Left England ({intention})"
    return ", ".join([*address.lines, address.postcode or ""]).strip(", ")


def _organisation_name(record: ChildRecordView, organisation_id: int | None) -> str:
    organisation: Organisation | None = record.organisation(organisation_id)
    return organisation.name if organisation is not None else ""


def _carers(record: ChildRecordView) -> str:
    parts = []
    for carer in record.carers:
        contact = "; ".join(value for value in (carer.phone, carer.email, carer.address) if value)
        parts.append(f"{carer.name} ({carer.relationship}){': ' + contact if contact else ''}")
    return " | ".join(parts)


def _involvements_carried(record: ChildRecordView) -> list[InvolvementView]:
    """The involvements the file may carry: never a sensitive service (`disclosure_visibility`)."""
    return visible_involvements(
        seen=disclosure_visibility(child=record.child), involvements=record.involvements
    )


def _services(record: ChildRecordView) -> str:
    parts = []
    for item in _involvements_carried(record):
        details = item.details
        organisation = item.organisation.name if item.organisation is not None else ""
        dates = f"from {details.started_on.isoformat()}" if details.started_on else ""
        if details.ended_on:
            dates += f" to {details.ended_on.isoformat()}"
        parts.append(", ".join(part for part in (details.role, organisation, dates) if part))
    return " | ".join(parts)


def _lead_professional(record: ChildRecordView) -> str:
    """Yes only for a lead among the services the file carries, as the record page and the subject
    access report name one: a sensitive lead read as "Yes" beside a services column without it told the
    recipient that a hidden service leads the work."""
    lead_id = record.details.lead_professional_id
    return "Yes" if lead_id and any(item.id == lead_id for item in _involvements_carried(record)) else "No"


def _educational_setting(record: ChildRecordView) -> str:
    setting = record.details.educational_setting
    return _organisation_name(record, setting.organisation_id) if setting else ""


CELLS: dict[str, Callable[[ChildRecordView], str]] = {
    "name": lambda record: record.details.full_name,
    "date_of_birth": lambda record: record.details.date_of_birth.isoformat(),
    "gender": lambda record: record.details.gender,
    "address": _address,
    "educational_setting": _educational_setting,
    "gp_practice": lambda record: _organisation_name(record, record.details.gp_practice_id),
    "carers": _carers,
    "services": _services,
    "lead_professional": _lead_professional,
    "caf_completed": lambda record: "Yes" if record.details.caf_completed else "No",
}


def _record_unless_removed(child: Child) -> ChildRecordView | None:
    """The child's whole record, or None if it was removed: a merge or purge shredded its own key and
    then failed, and its rows wait for the nightly run or a person (`children.merged_away.RecordRemoved`).
    Nothing of it can be read, so the file withholds it as it withholds an archived child, and the rest
    of the file is still released. (The release holds the child's row, so it cannot be merged away
    while the file is built; a key that refused while the record's own opens is a real fault, raised.)"""
    try:
        return opened_unless_merged_away(child.pk, partial(child_record, child))
    except RecordRemoved:
        return None


def export_rows_judged(
    *, export: DisclosureExport, children: list[Child], by: User
) -> tuple[list[list[str]], dict[Any, Withheld]]:
    """The header and one row per child: the index number and the approved fields, nothing more; with
    what was withheld of each child, and why (the one judgement the download's audit repeats).

    A child the policy no longer lets this export carry (archived or moved LA since the request) keeps
    its index number, and every other cell says why it is withheld (`_withheld_now`: never a shielded
    child's move); its record is not even decrypted.
    So does a record removed (its key shredded by a merge or purge that then failed): it cannot be.
    """
    keys = [key for key in export.fields if key in EXPORT_FIELDS]
    rows = [["Index number", *(EXPORT_FIELDS[key] for key in keys)]]
    withheld: dict[Any, Withheld] = {}
    for child in children:
        carried = decide(actor=by, action=Permission.DisclosureExportDownload, export=export, child=child)
        if not carried:
            said = _withheld_now(carried.reason, shielded=child.shielded)
            rows.append([child.index_number, *([said] * len(keys))])
            withheld[child.pk] = Withheld(reason=carried.reason, fields=tuple(keys))
            continue
        record = _record_unless_removed(child)
        if record is None:
            rows.append([child.index_number, *([WITHHELD_REMOVED] * len(keys))])
            withheld[child.pk] = Withheld(reason=REMOVED, fields=tuple(keys))
            continue
        full = disclosure_visibility(child=child).full
        hidden = () if full else tuple(key for key in keys if key not in SHIELDED_VISIBLE)
        if hidden:
            withheld[child.pk] = Withheld(reason=SHIELDED, fields=hidden)
        cells = [SHIELDED_WITHHELD if key in hidden else CELLS[key](record) for key in keys]
        rows.append([child.index_number, *(csv_cell(cell) for cell in cells)])
    return rows, withheld


def export_file_name(export: DisclosureExport) -> str:
    return f"contactpoint-disclosure-{str(export.pk)[:8]}.zip"


def export_built(*, export: DisclosureExport, children: list[Child], by: User, passphrase: str) -> Built:
    """The encrypted file, built in memory and never written to disk in clear, with what it withheld of
    each child (`export_rows_judged`): what the download's audit says of each child."""
    if len(passphrase) < PASSPHRASE_GROUPS * PASSPHRASE_GROUP_LENGTH:
        raise ValueError("a disclosure file is never written without a generated passphrase")
    rows, withheld = export_rows_judged(export=export, children=children, by=by)
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    out = io.BytesIO()
    with pyzipper.AESZipFile(
        out, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(passphrase.encode())
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        archive.writestr("disclosure.csv", text.getvalue().encode("utf-8"))
    return Built(file=out.getvalue(), withheld=withheld)
