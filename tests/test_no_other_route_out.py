"""No bulk export, and no other route out (issue 15 item 5, docs/SECURITY.md "No bulk export").

A file that leaves the service is one of these: the approved disclosure export (its own
route, two people, encrypted, once), the subject access PDF (one child), and counts that name no
child: the audit summary CSV (by day, event and organisation) and the management information CSVs
(suppressed counts by month and LA). Two nets catch another:

- by reading the code: every function outside the tests that writes a download (a Content-Disposition
  header, a file or streaming response, a CSV, PDF, ZIP or octet-stream content type) is one of the
  approved views, and the URLs that route to a download view are exactly theirs;
- by asking every URL: GET and POST, with real ids, as an LA team member, a practitioner and the
  national auditor; any answer that is a file (an attachment, or a CSV/PDF/ZIP/binary content type)
  must come from an approved URL, and each of them must really answer with a file.

A new CSV that names children fails here until it is made part of the approved route.
"""

import ast
import csv
import io
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Role
from disclosure.services import export_decide, export_request
from oversight.models import Alert, AlertKind
from team.disclosure_file import passphrase_new, passphrase_token
from tests.journeys import involved, signed_in, state_purpose
from tests.personas import make_child, make_user

ROOT = Path(__file__).resolve().parents[1]
# The management information CSVs hold suppressed counts by month and LA only (insight/tests prove no
# child is in them), like the audit summary CSV.
ALLOWED_URLS = {
    "team:export_download",
    "audit:subject_access_pdf",
    "audit:export",
    "insight:local_csv",
    "insight:national_csv",
}
ALLOWED_VIEWS = {
    "team.exports.export_download",
    "reports.views.subject_access_download",
    "reports.views.export",
    "insight.views._csv",
}
# The views the URLs route to: the writers above, with the two management information CSVs (which both
# write through `insight.views._csv`) named by their own views.
ROUTED_VIEWS = (ALLOWED_VIEWS - {"insight.views._csv"}) | {
    "insight.views.local_csv",
    "insight.views.national_csv",
}
DOWNLOAD_STRINGS = (
    "content-disposition",
    "attachment",
    "text/csv",
    "application/pdf",
    "application/zip",
    "application/octet-stream",
    "application/vnd.",
)
DOWNLOAD_NAMES = {"FileResponse", "StreamingHttpResponse", "as_attachment"}
FILE_TYPES = (
    "text/csv",
    "application/pdf",
    "application/zip",
    "application/octet-stream",
    "application/vnd.",
)


def _modules() -> Iterator[Path]:
    for path in sorted(ROOT.glob("*/**/*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if parts & {".venv", "tests", "migrations", "var", "node_modules", "bench"}:
            continue
        yield path


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            ids.add(id(first.value))
    return ids


def _writes_a_download(node: ast.AST, docstrings: set[int]) -> bool:
    for inner in ast.walk(node):
        text = inner.value if isinstance(inner, ast.Constant) and id(inner) not in docstrings else None
        if isinstance(text, str) and any(marker in text.lower() for marker in DOWNLOAD_STRINGS):
            return True
        if isinstance(inner, ast.Name) and inner.id in DOWNLOAD_NAMES:
            return True
        if isinstance(inner, ast.Attribute) and inner.attr in DOWNLOAD_NAMES:
            return True
        if isinstance(inner, ast.keyword) and inner.arg in DOWNLOAD_NAMES:
            return True
    return False


def download_writers() -> set[str]:
    """`module.function` of every top-level function (or method) outside the tests that writes a file."""
    found = set()
    for path in _modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _writes_a_download(
                node, docstrings
            ):
                found.add(f"{module}.{node.name}")
    return found


def test_only_the_approved_views_write_a_download():
    writers = download_writers()
    # nested helpers count as their own functions: a download written anywhere but the approved ones is named
    assert writers == ALLOWED_VIEWS, f"a new route out? {sorted(writers - ALLOWED_VIEWS)}"


def test_the_code_scan_would_catch_a_new_csv_naming_children():
    planted = ast.parse(
        "def roster(request):\n"
        "    '''Every child on one sheet.'''\n"
        "    response = HttpResponse(rows, content_type='text/csv')\n"
        "    return response\n"
    )
    assert _writes_a_download(planted.body[0], _docstrings(planted))
    docstring_only = ast.parse("def harmless():\n    '''Not a text/csv download.'''\n")
    assert not _writes_a_download(docstring_only.body[0], _docstrings(docstring_only))


def _url_views(patterns: list, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_views(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", pattern


def _view_name(pattern: URLPattern) -> str:
    view = pattern.callback
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return f"{getattr(view, '__module__', '')}.{getattr(view, '__name__', '')}"


def test_the_urls_that_route_to_a_download_view_are_exactly_the_approved_ones():
    routed = {
        name
        for name, pattern in _url_views(get_resolver().url_patterns)
        if _view_name(pattern) in ROUTED_VIEWS
    }
    assert routed == ALLOWED_URLS


def _is_a_file(response) -> bool:
    disposition = response.get("Content-Disposition", "").lower()
    content_type = response.get("Content-Type", "").lower()
    return "attachment" in disposition or content_type.startswith(FILE_TYPES)


def _approved_export(world, children):
    leo = make_user("leo", world.north, Role.LA_TEAM)
    export = export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis="court_order",
        reference="CO-2026-118",
        children=children,
        fields=["name"],
    )
    return export_decide(export=export, by=leo, approve=True, reason="Court order checked")


VALID_BODIES = {
    "audit:subject_access_pdf": {"identity_checked": "on", "reference": "SAR-2026-0042"},
    "audit:subject_access": {"identity_checked": "on", "reference": "SAR-2026-0042"},
}


def test_every_url_answering_with_a_file_is_an_approved_one(world):
    """Ask every URL, GET and POST, with real ids, as three roles: only the approved ones answer with a file."""
    child = make_child(world)
    # Alice works with the child: her purpose, stated on every round, is no look-up by id (those count
    # against the search limit since session 38, and a hundred rounds would pass it).
    involved(world.alice, child)
    other = make_child(world, given_names="Kai", family_name="Lindqvist", postcode="LS2 7EW")
    export = _approved_export(world, [child, other])
    alert = Alert.objects.create(
        local_authority=world.north, kind=AlertKind.BULK_VIEWING, raised_by=world.alice
    )
    ids = {
        "child_id": child.pk,
        "user_id": world.alice.pk,
        "alert_id": alert.pk,
        "export_id": export.pk,
        "token": "not-a-real-token",
        "slug": "purpose",
    }
    files: dict[str, set[str]] = {}
    for name, pattern in _url_views(get_resolver().url_patterns):
        converters = pattern.pattern.converters
        if any(key not in ids for key in converters):
            kwargs = {
                key: ids.get(key, uuid.uuid4() if "uuid" in type(c).__name__.lower() else 1)
                for key, c in converters.items()
            }
        else:
            kwargs = {key: ids[key] for key in converters}
        try:
            path = reverse(name, kwargs=kwargs) if kwargs else reverse(name)
        except Exception:  # a route whose parameter no id here fits (the feeds API's batch ids)
            path = "/" + str(pattern.pattern).replace("<batch_id>", "b-1")
        for who in (world.lena, world.alice, world.nadia):
            client = signed_in(who)
            if who == world.alice:
                state_purpose(client, child)
            body = VALID_BODIES.get(name, {})
            if name == "team:export_download":
                body = {"token": passphrase_token(passphrase=passphrase_new(), export=export)}
            for method in ("get", "post"):
                response = getattr(client, method)(path, body if method == "post" else {})
                if _is_a_file(response):
                    files.setdefault(name, set()).add(f"{who.username} {method.upper()}")
    assert set(files) == ALLOWED_URLS, files  # nothing else; and each really is a file


def test_the_audit_summary_export_names_no_child(world):
    child = make_child(world)
    client = signed_in(world.lena)
    state_purpose(client, child)
    client.get(reverse("children:record", args=[child.pk]))
    response = client.get(reverse("audit:export"), {"report": "child", "child": str(child.pk)})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["day", "event", "tag", "organisation", "count"]
    text = response.content.decode()
    assert child.index_number not in text and str(child.pk) not in text and "Thornton" not in text
    assert all(row[0] == timezone.localdate().isoformat() for row in rows[1:])
