"""The feeds HTTP API (django-ninja): the OpenAPI schema is generated from this code and served.

A feed source authenticates with its bearer token; the policy then decides whether that identity may
submit at all (`Permission.FeedSubmit`) and, row by row, whether it may supply those fields for that
LA (`access.policy.feed_row_decide`). Rows are validated one by one: a bad row is reported with its
number and reason and never blocks the others.
"""

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Annotated, Any, Literal, cast
from weakref import WeakKeyDictionary

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja import Path as PathParam
from ninja.errors import AuthenticationError, Throttled
from ninja.parser import Parser
from ninja.responses import Status
from ninja.security import HttpBearer
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from access.permissions import Permission
from access.policy import Decision, decide, feed_row_decide
from accounts.models import Organisation
from accounts.network import client_network
from audit.services import event_record
from audit.tags import AuditTag
from feeds.ingest import (
    BATCH_ID_LONGEST,
    BATCH_ID_PATTERN,
    SOURCE_ACCEPTED,
    SOURCE_CREATED,
    SOURCE_OUTCOMES,
    SOURCE_REJECTED,
    BatchConflict,
    BatchReport,
    SourceRefused,
    batch_complete,
    batch_id_refused,
    batch_open,
    batch_report,
    batch_rows_ingest,
    source_report,
)
from feeds.models import BatchStatus, FeedBatch, FeedSource
from feeds.parsers import Row, RowUnreadable, rows_fingerprint
from feeds.ratelimit import (
    IN_FLIGHT_RETRY_SECONDS,
    TOKEN_FAILURE_WINDOW_SECONDS,
    SourceRateThrottle,
    batch_hold,
    refused_source_audit_due,
    request_slot,
    requests_in_flight_most,
    requests_per_minute,
    seconds_to_next_token_window,
    seconds_to_next_window,
    token_address_limited_audit_due,
    token_failed_audit_due,
    token_failure_over_limit,
    token_failures_per_address,
)
from feeds.sources import (
    TOKEN_PREFIX,
    feed_source_authenticate,
    feed_token_live,
    source_entitlement,
    token_digest,
)
from feeds.validation import NAME_PARTS_MOST
from vault.blind_index import blind_token

MAX_ROWS = 5000


def _batch_id_valid(batch_id: str, info: ValidationInfo) -> str:
    """The file path's rule (`feeds.ingest.batch_id_refused`), in its words: no other length, pattern or
    character rule here, so an id is refused by the API exactly when `manage.py ingest --batch-id` refuses
    it, and an id the source already has a batch under (taken by the earlier rule) still names that batch.
    The source is the request's, authenticated before the address is validated (django-ninja gives the
    request to its validators). The message never repeats the id (operators read ids on the service health
    page, where an invisible character makes one read as another)."""
    request = (info.context or {}).get("request")
    source = getattr(request, "auth", None)
    if problem := batch_id_refused(
        batch_id=batch_id, source=source if isinstance(source, FeedSource) else None
    ):
        raise PydanticCustomError("batch_id", problem)
    return batch_id


# The id a source gives its batch (FeedBatch.batch_id), judged by `_batch_id_valid` alone. Its length is
# only declared in the schema (`WithJsonSchema`), never checked by pydantic in pydantic's own words.
BatchId = Annotated[
    str,
    PathParam(),
    AfterValidator(_batch_id_valid),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": BATCH_ID_LONGEST,
            "pattern": BATCH_ID_PATTERN,
            "description": "the source's own name for the batch: letters A-Z and a-z, digits, full stops, "
            "underscores, colons and hyphens (an id this source already has a batch under, given before "
            "this rule, still names that batch)",
        }
    ),
]


def body_limit_words() -> str:
    """The request size limit (`DATA_UPLOAD_MAX_MEMORY_SIZE`) as a source's operator reads it."""
    return f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20:g} MiB"


# Put into any object of the body that names a field twice (`_BodyParser`): no JSON text can hold a NUL in a
# name that a row could mean, and the row is refused for it by number, never read as the last value.
NAMED_TWICE = "\x00named twice"


def _object_marking_names_given_twice(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """The object, marked if it names a field twice. The mark holds every (name, value) as given, in order:
    the batch's fingerprint is its rows as read, so two bodies differing only in a value the last one
    replaced are two contents (409 under one batch id), never one replayed."""
    value = dict(pairs)
    if len(value) != len(pairs):
        value[NAMED_TWICE] = [[name, item] for name, item in pairs]
    return value


def _int_or_its_digits(digits: str) -> int | str:
    """A JSON integer as Python reads it, or, past the digits Python will convert (4,300), the text of its
    digits: too long for any field (at most 100 characters), so its row is rejected by number, where
    raising would refuse the whole body and every good row in it."""
    try:
        return int(digits)
    except ValueError:
        return digits


class _BodyParser(Parser):
    """The body as JSON, with objects that name a field twice marked (`NAMED_TWICE`) rather than read as
    their last value (what Python's `json` does; a source's own checks or logs often read the first): the
    row holding one is refused by number ("a field is named twice in the row"), as a JSON Lines row is."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return cast(
            dict[str, Any],
            json.loads(
                request.body,
                object_pairs_hook=_object_marking_names_given_twice,
                parse_int=_int_or_its_digits,
            ),
        )


def _names_a_field_twice(value: object) -> bool:
    """Whether any object within `value` is marked `NAMED_TWICE`. Walked with a list, not recursion: JSON's
    parser nests deeper than a recursive walk can follow, and a RecursionError here was a 500 that left the
    batch open and failed every resend, its good rows never going in."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if NAMED_TWICE in item:
                return True
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


# The reason a row that is not a JSON object is rejected for, in the words of a JSON Lines file's.
NOT_AN_OBJECT = "not a JSON object"


def _row_as_read(row: Any) -> Row:
    if not isinstance(row, dict):
        return RowUnreadable(NOT_AN_OBJECT)
    return RowUnreadable("a field is named twice in the row") if _names_a_field_twice(row) else row


# The digest of the token each request in flight was authenticated with, for `_Standing` to ask again.
_TOKEN_DIGESTS: WeakKeyDictionary[HttpRequest, str] = WeakKeyDictionary()


class AddressLimited(Exception):
    """The token is not live and its client address has presented too many that were not this window:
    refused 429 rather than 401 (`SourceToken`). A live token is never refused so."""


def _address_token(address: str) -> str:
    """The address as the audit log names it: the same address reads as the same token in every event,
    never in clear (`vault.blind_index.blind_token`)."""
    return blind_token("feed-api-address", address)


def _token_shape(authorization: str) -> str:
    """What kind of failure a refused Authorization header was, for the audit log (never the token):
    "malformed" (not the Bearer scheme, or not a feed token's shape) or "not_live" (shaped as a feed
    token: unknown, revoked or expired, which the log does not tell apart)."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.startswith(TOKEN_PREFIX):
        return "not_live"
    return "malformed"


class SourceToken(HttpBearer):
    def __call__(self, request: HttpRequest) -> FeedSource | None:
        """The source of the request's token, looked up whatever its client address has presented before:
        a live token is answered and never counted. A token that is not live is counted against the
        address (`feeds.ratelimit.token_failure_over_limit`) and refused 401, or 429 (AddressLimited)
        once the address is past its failures this window. A feed token is 256 random bits: refusing a
        live one from a limited address would stop no guessing, only the source (review h10-1).
        A request without any Authorization header presents nothing to guess with and is not counted: a
        probe or a client not yet configured must not be refused 429 at an address a source shares."""
        authorization = request.headers.get(self.header)
        if not authorization:
            return None
        source = cast(FeedSource | None, super().__call__(request))
        if source is not None:
            return source
        address = client_network(request)
        if token_failure_over_limit(address):
            self._limited_audit(address)
            raise AddressLimited
        self._failed_audit(address, authorization)
        return None

    @staticmethod
    def _failed_audit(address: str, authorization: str) -> None:
        """The first failure of each minute from `address`, with the count of the minute before. A revoked
        or expired token is also audited against its source (`feed:token:refused`, once a minute)."""
        due, before = token_failed_audit_due(address)
        if due:
            event_record(
                tag=AuditTag.FeedTokenFailed,
                actor=None,
                additional={
                    "address_token": _address_token(address),
                    "reason": _token_shape(authorization),
                    "refused_in_the_minute_before": before,
                },
            )

    @staticmethod
    def _limited_audit(address: str) -> None:
        """The first refusal of each minute of a limited address (so the moment the limit trips, and each
        minute it holds), with the count of the minute before."""
        due, before = token_address_limited_audit_due(address)
        if due:
            event_record(
                tag=AuditTag.FeedTokenAddressLimited,
                actor=None,
                additional={
                    "address_token": _address_token(address),
                    "limit": token_failures_per_address(),
                    "window_seconds": TOKEN_FAILURE_WINDOW_SECONDS,
                    "refused_in_the_minute_before": before,
                },
            )

    def authenticate(self, request: HttpRequest, token: str) -> FeedSource | None:
        source = feed_source_authenticate(token)
        if source is not None:
            _TOKEN_DIGESTS[request] = token_digest(token)
        return source


api = NinjaAPI(
    title="ContactPoint feeds API",
    version="1",
    description="Feed sources submit child records in batches. Idempotent by batch id; every row is "
    "validated and counted as created (a new child), accepted (matched to the index or held for a person "
    "to check, never saying which) or rejected (reported by row number and reason). "
    f"A batch holds at most {MAX_ROWS:,} rows, and a request body is at most {body_limit_words()} "
    "(413 beyond).",
    urls_namespace="feeds_api",
    auth=SourceToken(),
    parser=_BodyParser(),
    throttle=[SourceRateThrottle()],
    docs_url=None,
)


@api.exception_handler(Throttled)
def _too_many_requests(request: HttpRequest, exc: Throttled) -> HttpResponse:
    """A clear JSON answer: the limit and when to come back (ninja adds the Retry-After header)."""
    wait = seconds_to_next_window()
    detail = (
        f"Too many requests from this feed source: at most {requests_per_minute()} a minute. "
        f"Try again in {wait} seconds."
    )
    return api.create_response(request, {"detail": detail, "retry_after_seconds": wait}, status=429)


@api.exception_handler(AddressLimited)
def _address_limited(request: HttpRequest, exc: AddressLimited) -> HttpResponse:
    """429 for a token that is not live from an address past its failures: says that this token is refused,
    that a live token is still accepted from the address, and when the window ends (never which token)."""
    wait = seconds_to_next_token_window()
    detail = (
        "The token presented is not a live feed token, and too many requests from this address have "
        f"presented one that is not: at most {token_failures_per_address()} in "
        f"{TOKEN_FAILURE_WINDOW_SECONDS // 60} minutes. A live token is still accepted from this address; "
        f"tokens that are not live are refused with 429 until the window ends in {wait} seconds."
    )
    response = api.create_response(request, {"detail": detail, "retry_after_seconds": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


REALM = 'Bearer realm="ContactPoint feeds API"'


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    """401 with the `WWW-Authenticate` header HTTP requires of it (RFC 6750): the Bearer scheme, and
    `invalid_token` when a token was sent and refused; never whether it was unknown or revoked."""
    response = api.create_response(request, {"detail": "Unauthorized"}, status=401)
    sent = bool(request.headers.get("Authorization"))
    response["WWW-Authenticate"] = f'{REALM}, error="invalid_token"' if sent else REALM
    return response


@api.exception_handler(RequestDataTooBig)
def _body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body over the size limit: 413 in JSON saying what to do, not Django's bare HTML 400 page. Only
    an authenticated source gets here: the token is checked before the body is read."""
    detail = (
        f"The request body is larger than the {body_limit_words()} a request may be: "
        "send the rows in smaller batches."
    )
    return api.create_response(request, {"detail": detail}, status=413)


# "required" as the row validation requires (feeds.validation.REQUIRED, pinned by a test): a row
# without one of these is rejected by number.
NAME_RULE = f"a name: letters, spaces, hyphens, apostrophes and full stops, at most {NAME_PARTS_MOST} parts"
ROW_FIELDS_DOCUMENTED: dict[str, str] = {
    "record_id": "required: the source's own id for this record (text)",
    "local_authority": "required: code of the child's local authority, e.g. LA-N",
    "given_names": f"required: {NAME_RULE}",
    "family_name": f"required: {NAME_RULE}",
    "former_family_name": NAME_RULE,
    "date_of_birth": "required: YYYY-MM-DD",
    "gender": "female, male or not_specified",
    "nhs_number": "10 digits with a valid check digit",
    "address_line": "text",
    "town": "text",
    "postcode": "a full UK postcode",
    "date_of_death": (
        "YYYY-MM-DD, not in the future nor before date_of_birth; updates a child the index holds, "
        "a row that would create a new child with it is rejected"
    ),
}


class FeedRowIn(RootModel[Any]):
    """One record. Only the fields the source is entitled to may carry a value.

    Nothing is required, nor typed, at this level: a row missing a required field, holding a value that
    is not text (a number with a decimal point, a list, an object), carrying a field that is not one of
    these (a misspelt `NHS_Number`), or not an object at all (null, text, a list), is rejected on its
    own, by number, by the same row validation as a JSON Lines file, instead of failing the whole batch.
    A whole number is taken where text is expected.
    """

    # Kept exactly as sent, every key: a schema with named fields drops the keys it does not know, and a
    # misspelt field then vanished instead of rejecting its row. An object is what the schema declares,
    # with its fields named, for the OpenAPI schema only: typed `dict` here, one `null` row refused the
    # whole batch (422) where a JSON Lines line that is not an object is rejected alone.
    model_config = ConfigDict(
        json_schema_extra={
            "type": "object",
            "properties": {
                name: {"description": description} for name, description in ROW_FIELDS_DOCUMENTED.items()
            },
            "additionalProperties": {"description": "any other field rejects the row"},
        }
    )


# A plain pydantic model, not a ninja `Schema`: a Schema's validators are given the body wrapped, and
# `_named_once` must see the object as parsed. (Its docstring is the schema's description, for sources.)
class BatchIn(BaseModel):
    """A batch of records: `rows` and nothing else. A body naming a field twice, holding any other field,
    or holding no row is refused whole (422)."""

    # Forbidden here for the schema (`additionalProperties: false`); `_named_once` refuses it in words.
    model_config = ConfigDict(extra="forbid")

    rows: list[FeedRowIn] = Field(
        max_length=MAX_ROWS,
        description="the records, each numbered by its place (from 1); an item that is not an object "
        "is not a record: its row is rejected by number, the rest go in. At least one.",
        json_schema_extra={"minItems": 1},
    )

    @model_validator(mode="before")
    @classmethod
    def _named_once(cls, data: Any) -> Any:
        """A body naming `rows` (or any field) twice is refused whole (422), as a row naming a field twice
        is refused by number: read as its last value, the index would ingest rows other than those the
        source's own checks and logs read (the first). A body with another field (a misspelt `row`) is
        refused too, without naming it back: ignored, its sender would believe those rows were sent."""
        if isinstance(data, dict) and NAMED_TWICE in data:
            raise PydanticCustomError(
                "named_twice", "the body names a field twice: send each of its fields once"
            )
        if isinstance(data, dict) and set(data) - {"rows"}:
            raise PydanticCustomError(
                "extra_field", "the body holds a field other than rows: send rows alone"
            )
        return data

    @field_validator("rows")
    @classmethod
    def _not_empty(cls, rows: list[FeedRowIn]) -> list[FeedRowIn]:
        """An empty batch would complete under its id, and the rows then sent under that id be refused
        as other content (409): no batch is opened without a row."""
        if not rows:
            raise PydanticCustomError("rows_empty", "rows is empty: a batch holds at least one row")
        return rows


class RowOut(Schema):
    """A rejected row: its number (its place in `rows`, from 1) and why, naming the rule, never a value."""

    row_number: int
    outcome: Literal["rejected"]
    reason: str


class CountsOut(Schema):
    """The batch's rows by outcome (`feeds.ingest.SOURCE_OUTCOMES`). A row matched to a child the index
    holds, and one held for a person to check, are one outcome: which it was is never told."""

    created: int = Field(description=SOURCE_OUTCOMES[SOURCE_CREATED])
    accepted: int = Field(description=SOURCE_OUTCOMES[SOURCE_ACCEPTED])
    rejected: int = Field(description=SOURCE_OUTCOMES[SOURCE_REJECTED])


class BatchOut(Schema):
    batch_id: str
    status: str
    counts: CountsOut
    rejected: list[RowOut]
    replayed: bool = Field(description="true when this batch id was already ingested: nothing changed")


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    """The body or batch id does not fit this schema (django-ninja's answer): where and which rule, never
    the value sent."""

    detail: list[dict[str, Any]]


class ThrottledOut(Schema):
    """Over the source's requests per minute, or its batch requests at once, or this request's token is not
    live and its client address has presented too many that were not (a live token is still accepted): the
    same seconds are in the Retry-After header."""

    detail: str
    retry_after_seconds: int


def _out(report: BatchReport) -> dict[str, Any]:
    """The answer to the source: the report folded to what it may be told (`feeds.ingest.source_report`)."""
    told = source_report(report)
    return {
        "batch_id": told.batch_id,
        "status": told.status,
        "counts": told.counts,
        "rejected": [
            {"row_number": r.row_number, "outcome": r.outcome, "reason": r.reason} for r in told.rejected
        ],
        "replayed": told.replayed,
    }


def _entitled(source: FeedSource, fields: set[str], la: Organisation | None) -> Decision:
    return feed_row_decide(source=source, fields=fields, local_authority_id=la.pk if la else None)


def _refused(source: FeedSource) -> Decision | None:
    """The policy's refusal of `source`, or None. Refused every time, audited once a minute per source
    with the count of the minute before (`feeds.ratelimit.refused_source_audit_due`)."""
    decision = decide(actor=source.user, action=Permission.FeedSubmit)
    if decision:
        return None
    due, refused_minute_before = refused_source_audit_due(source.pk)
    if due:
        event_record(
            tag=AuditTag.AccessDenied,
            actor=source.user,
            additional={
                "action": str(Permission.FeedSubmit),
                "reason": decision.reason,
                "refused_in_the_minute_before": refused_minute_before,
            },
        )
    return decision


class _Standing:
    """The request's token and source judged again while its rows go in. A request works for up to
    ROWS_SECONDS, and its token, the policy and the entitlement (every row is judged and linked by the one
    it began with) were otherwise judged once, at its start: a token revoked because it leaked went on
    writing until the request ended. The token is asked before every row (`token_live`, one indexed query,
    `batch_rows_ingest(every_row=)`): judged with the rest every STANDING_SECONDS, a revoked token still
    wrote for up to those 5 s (about 150 rows). The policy and the entitlement, several queries, are asked
    before the first row and every `feeds.ingest.STANDING_SECONDS` (`batch_rows_ingest(standing=)`), as
    `manage.py ingest` judges its source. `stopped_by` says what stopped it."""

    def __init__(self, source: FeedSource, digest: str) -> None:
        self.source, self.digest = source, digest
        self.began = source_entitlement(source)
        self.stopped_by: str | None = None  # "token", "policy" or "entitlement"
        self.refusal: Decision | None = None

    def token_live(self, _: FeedSource) -> Decision:
        if not feed_token_live(self.digest):
            self.stopped_by = "token"
            return Decision(False, "token_revoked")
        return Decision(True)

    def __call__(self, _: FeedSource) -> Decision:
        now = FeedSource.objects.select_related("user__organisation").get(pk=self.source.pk)
        refusal = _refused(now)
        if refusal is not None:
            self.stopped_by, self.refusal = "policy", refusal
            return refusal
        if source_entitlement(now) != self.began:
            self.stopped_by = "entitlement"
            return Decision(False, "entitlement_changed")
        return Decision(True)


# One request ingests rows for at most this long, then stops between rows and answers 202 (the batch in
# progress, what was done so far); the same body sent again goes on where it stopped. gunicorn kills a
# request after GUNICORN_TIMEOUT (30 s by default, docs/DEPLOYMENT.md), and at 30 to 40 rows a second
# (docs/DECISIONS.md 4) a batch of more than about a thousand rows cannot finish inside it.
ROWS_SECONDS = 20.0


def _monotonic() -> float:
    return time.monotonic()


class _RowsInTime:
    """The rows of the batch not yet done, until ROWS_SECONDS have passed: the first of them always, so
    every request moves the batch on. `stopped` tells whether rows were left for the next request."""

    def __init__(self, rows: list[Row], done: set[int]) -> None:
        self.rows, self.done, self.stopped = rows, done, False

    def __iter__(self) -> Iterator[tuple[int, Row]]:
        deadline = _monotonic() + ROWS_SECONDS
        started = False
        for number, row in enumerate(self.rows, start=1):
            if number in self.done:
                continue
            if started and _monotonic() >= deadline:
                self.stopped = True
                return
            started = True
            yield number, row


@api.post(
    "/batches/{batch_id}",
    response={
        200: BatchOut,
        202: BatchOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        409: ErrorOut,
        413: ErrorOut,
        422: ValidationErrorOut,
        429: ThrottledOut,
    },
    summary="Submit (or resubmit) a batch of records",
    description="200: the batch is completed (`replayed` when it was already). 202: part of the batch was "
    f"ingested (a request works for at most {ROWS_SECONDS:g} seconds), or the batch is being ingested by an "
    "earlier request still running (this one did nothing: its progress so far); send the same body to the "
    "same batch id again to go on where it stopped, until the answer is 200. 429: over the source's "
    "requests a minute, or over the batch requests it may have running at once (the answer says how many), "
    "or the token is not live and the client address presented too many that were not (a live token is "
    "still accepted); wait the Retry-After seconds.",
)
def batch_submit(
    request: HttpRequest, batch_id: BatchId, batch: BatchIn
) -> Status[dict[str, Any]] | HttpResponse:
    source: FeedSource = request.auth  # type: ignore[attr-defined]
    refused = _refused(source)
    if refused is not None:
        return Status(403, {"detail": refused.message})
    with request_slot(source.pk) as slot:
        if not slot:
            return _too_many_at_once(request)
        return _batch_submit(request, source, batch_id, batch)


def _too_many_at_once(request: HttpRequest) -> HttpResponse:
    """429 for a source with its most batch requests running: they hold workers, not only minutes."""
    wait = IN_FLIGHT_RETRY_SECONDS
    most = requests_in_flight_most()
    detail = (
        f"This feed source already has {most} request{'s' if most != 1 else ''} in progress, the most it may "
        f"have at once: send the next when one is answered. Try again in {wait} seconds."
    )
    response = api.create_response(request, {"detail": detail, "retry_after_seconds": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _batch_submit(
    request: HttpRequest, source: FeedSource, batch_id: str, batch: BatchIn
) -> Status[dict[str, Any]]:
    # The rows as sent: validated as a file's are, and fingerprinted as received, so two bodies that
    # differ in any key or value are two contents (409), never one replayed.
    rows: list[Any] = [row.root for row in batch.rows]
    try:
        stored, replayed = batch_open(source=source, batch_id=batch_id, fingerprint=rows_fingerprint(rows))
    except BatchConflict as conflict:
        return Status(409, {"detail": str(conflict)})
    if replayed is not None:
        return Status(200, _out(replayed))
    with batch_hold(source.pk, batch_id) as held:
        if not held:
            # An earlier request (one the client gave up on) is ingesting this batch: its progress, now,
            # rather than a wait behind its row locks for as long as it runs.
            stored.refresh_from_db()
            if stored.status == BatchStatus.COMPLETED:
                return Status(200, _out(replace(batch_report(stored), replayed=True)))
            return Status(202, _out(batch_report(stored)))
        return _rows_ingest(request, source, stored, rows)


def _rows_ingest(
    request: HttpRequest, source: FeedSource, stored: FeedBatch, rows: list[Any]
) -> Status[dict[str, Any]]:
    read = [_row_as_read(row) for row in rows]
    in_time = _RowsInTime(read, set(stored.rows.values_list("row_number", flat=True)))
    standing = _Standing(source, _TOKEN_DIGESTS[request])
    try:
        batch_rows_ingest(
            batch=stored,
            source=source,
            rows=in_time,
            entitled=_entitled,
            today=timezone.localdate(),
            standing=standing,
            every_row=standing.token_live,
        )
    except SourceRefused:
        if standing.stopped_by == "token":
            raise AuthenticationError from None  # 401, as the token's next request gets
        if standing.refusal is not None:
            return Status(403, {"detail": standing.refusal.message})
        # The entitlement changed: stopped between rows as at the end of the time, the batch in progress;
        # the same body sent again goes on under the entitlement as it is now.
        return Status(202, _out(batch_report(stored)))
    if in_time.stopped:
        return Status(202, _out(batch_report(stored)))
    return Status(200, _out(batch_complete(batch=stored, source=source)))


@api.get(
    "/batches/{batch_id}",
    response={
        200: BatchOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
        429: ThrottledOut,
    },
    summary="A batch's outcome",
)
def batch_status(request: HttpRequest, batch_id: BatchId) -> Status[dict[str, Any]]:
    source: FeedSource = request.auth  # type: ignore[attr-defined]
    refused = _refused(source)
    if refused is not None:
        return Status(403, {"detail": refused.message})
    batch = FeedBatch.objects.filter(source=source, batch_id=batch_id).first()
    if batch is None:
        return Status(404, {"detail": "no such batch from this source"})
    return Status(200, _out(batch_report(batch)))
