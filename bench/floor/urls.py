"""Sign-in and one search page: the floor's whole surface."""

import base64
import hashlib
import hmac
import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connections, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from bench.floor.models import FloorAudit
from bench.floor.opening import sealed_open
from matching.blocking import query_key_tiers
from matching.identity import Identity

COLUMNS = ("given_names", "family_name", "former_names", "gender", "date_of_birth", "address")
LIMIT = 500


@cache
def _keys() -> dict[str, Any]:
    path = Path(getattr(settings, "VAULT_KEY_FILE"))  # noqa: B009 - the floor's own setting
    return dict(json.loads(path.read_text()))


def _digest(value: str) -> int:
    key = base64.b64decode(_keys()["index_key"])
    mac = hmac.new(key, f"child-block\x1f{value}".encode(), hashlib.sha256)
    return int.from_bytes(mac.digest()[:8], "big", signed=True)


def _token(name: str, value: str) -> str:
    key = base64.b64decode(_keys()["index_key"])
    return hmac.new(key, f"token|search-{name}\x1f{value}".encode(), hashlib.sha256).hexdigest()[:32]


def _candidates(digests: list[int]) -> list[dict[str, Any]]:
    """The OR of the query's keyed indexes, then each candidate's identity columns decrypted."""
    columns = ", ".join(f"c.{c}" for c in COLUMNS)
    sql = (
        f"SELECT c.id, k.id, k.wrapped, k.kek_version, {columns} FROM children_child c "  # noqa: S608
        "JOIN vault_datakey k ON k.id = c.data_key_id WHERE c.status = 'active' AND c.id IN ("
        " SELECT b.child_id FROM children_blockingkeyentry b JOIN children_child s ON s.id = b.child_id"
        " WHERE b.digest = ANY(%s) AND (NOT b.hidden OR NOT s.shielded) LIMIT %s)"
    )
    with connections["index"].cursor() as cursor:
        cursor.execute(sql, [digests, LIMIT])
        rows = cursor.fetchall()
    found = []
    for child_id, key_id, wrapped, version, *sealed in rows:
        kek = base64.b64decode(_keys()["keks"][str(version)])
        dek = sealed_open(wrapped, kek, f"cp-dek|{key_id}|{version}".encode())
        values = {
            column: json.loads(
                sealed_open(blob, dek, f"cp-field|children_child|{column}|{child_id}|{key_id}".encode())
            )
            for column, blob in zip(COLUMNS, sealed, strict=True)
        }
        found.append({"id": str(child_id), **values})
    return found


@login_required
def search(request: HttpRequest) -> HttpResponse:
    results: list[dict[str, Any]] | None = None
    if request.method == "POST":
        data = request.POST
        dob = None
        if data.get("dob_year"):
            dob = date(int(data["dob_year"]), int(data["dob_month"]), int(data["dob_day"]))
        identity = Identity(
            family_names=(data.get("family_name", ""),),
            given_names=(data["given_name"],) if data.get("given_name") else (),
            date_of_birth=dob,
            gender=data.get("gender") or None,
            postcodes=(data["postcode"],) if data.get("postcode") else (),
        )
        digests = [_digest(k) for k in sorted(query_key_tiers(identity).exact)]
        found = _candidates(digests)
        family = data.get("family_name", "").strip().lower()
        results = [c for c in found if c["family_name"].lower() == family][:10]
        criteria = {k: _token(k, str(v)) for k, v in data.items() if k != "csrfmiddlewaretoken" and v}
        with transaction.atomic():
            FloorAudit._default_manager.create(
                occurred_at=timezone.now(),
                actor_id=request.user.pk,
                additional={"criteria": criteria, "result_ids": [r["id"] for r in results]},
            )
    return render(request, "floor/search.html", {"results": results})


urlpatterns = [
    path("sign-in/", auth_views.LoginView.as_view(template_name="floor/login.html"), name="login"),
    path("search/", search, name="search"),
]
