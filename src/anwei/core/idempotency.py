"""`Idempotency-Key` on every API POST, once for all operations (registered on the API in anwei.api).

A client that sends the same key again (per user) gets the first request's answer — the same status and body,
with `Idempotent-Replayed: true` — and nothing is done a second time, so a retry after a timeout or a lost answer
never files a report twice. The same key with a different method, path or body is refused (422); a retry while
the first request is still running gets 409 (after ABANDONED, a first request that never finished — its process
died, its transaction rolled back — no longer holds the key). Only successful answers are kept: a refused or failed
request did nothing, so the same key may be sent again. Keys are kept for KEEP (then the key may be used anew).

Two hooks, because ninja authenticates and validates between them: `around_run` (ninja's "view" mode) sees every
POST and keeps the finished answer; `before_operation` ("operation" mode) runs once the user is known and the body
valid, and claims the key before the operation does anything."""

import hashlib
import logging
import re
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import BusinessRuleError
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEEP = timedelta(hours=24)
ABANDONED = timedelta(minutes=10)  # a first request "still running" this long died with its process (and rolled back)
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces (a UUID, a ULID, a counter)
REQUEST_ATTR = "_anwei_idempotency"
log = logging.getLogger(__name__)


class KeyInUse(Exception):
    """The first request with this key is still running (answered 409)."""


class Replay(Exception):
    """Not an error: the stored answer, raised to leave the operation before it runs again."""

    def __init__(self, row: IdempotencyKey) -> None:
        self.row = row


class Claim:
    def __init__(self, key: str) -> None:
        self.key = key
        self.row: IdempotencyKey | None = None


def fingerprint(request: HttpRequest) -> str:
    """SHA-256 over the method, the path and the body: the raw body for JSON, the fields and each file's bytes for
    a multipart upload (whose raw body Django no longer holds once it has been parsed)."""
    digest = hashlib.sha256(f"{request.method}\0{request.path}\0".encode())
    if (request.content_type or "").startswith("multipart/"):
        for name, values in sorted(request.POST.lists()):
            digest.update("\0".join([name, *values, ""]).encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(f"{name}\0{upload.name}\0".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def around_run(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return run(request, *args, **kwargs)
        claim = Claim(key.strip())
        setattr(request, REQUEST_ATTR, claim)
        try:
            response = run(request, *args, **kwargs)
        except BaseException:
            release_claim(claim)
            raise
        finish_claim(claim, response)
        return response

    return wrapper


def before_operation(view_func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view_func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        claim: Claim | None = getattr(request, REQUEST_ATTR, None)
        if claim is not None:
            take_claim(claim, request)
        return view_func(request, *args, **kwargs)

    return wrapper


def take_claim(claim: Claim, request: HttpRequest) -> None:
    if not _VALID_KEY.match(claim.key):
        raise BusinessRuleError(_("The Idempotency-Key must be 1–255 printable ASCII characters."), field=HEADER)
    user: Any = getattr(request, "auth", None) or request.user
    user_id: int | None = getattr(user, "pk", None)
    if user_id is None:  # an operation open to everyone: no one to keep a key for
        return
    now = timezone.now()
    IdempotencyKey.objects.filter(user_id=user_id, created_at__lt=now - KEEP).delete()
    print_ = fingerprint(request)
    try:
        with transaction.atomic():
            claim.row = IdempotencyKey.objects.create(
                user_id=user_id,
                key=claim.key,
                method=request.method or "",
                path=request.path[:500],
                fingerprint=print_,
                created_at=now,
            )
    except IntegrityError:
        first = IdempotencyKey.objects.filter(user_id=user_id, key=claim.key).first()
        if first is None:  # released a moment ago by a request that failed: this one runs
            return take_claim(claim, request)
        if first.fingerprint != print_:
            raise BusinessRuleError(
                _("This Idempotency-Key was already used for a different request. Use a new key."), field=HEADER
            ) from None
        if first.status is None:
            if first.created_at < now - ABANDONED:
                IdempotencyKey.objects.filter(pk=first.pk, status__isnull=True).delete()
                return take_claim(claim, request)
            raise KeyInUse() from None
        raise Replay(first) from None


def finish_claim(claim: Claim, response: HttpResponseBase) -> None:
    if claim.row is None:
        return
    if response.status_code >= 400 or response.streaming:
        release_claim(claim)
        return
    content = getattr(response, "content", b"")
    try:
        IdempotencyKey.objects.filter(pk=claim.row.pk).update(
            status=response.status_code, body=content, content_type=response.get("Content-Type", "")[:100]
        )
    except DatabaseError:
        # the work is committed and this is its answer: keeping the answer for a retry failed (a full disk), which
        # must not turn the answer into "nothing was saved". A retry meanwhile gets 409, and after ABANDONED runs.
        log.exception("could not keep the answer for Idempotency-Key %r", claim.key)


def release_claim(claim: Claim) -> None:
    """Nothing was done (refused, or failed and rolled back): the same key may be sent again."""
    if claim.row is not None:
        try:
            IdempotencyKey.objects.filter(pk=claim.row.pk, status__isnull=True).delete()
        except DatabaseError:  # the request's own error is the one to report; the key frees itself after ABANDONED
            log.exception("could not release Idempotency-Key %r", claim.key)
        claim.row = None


def replayed(row: IdempotencyKey) -> HttpResponse:
    """The first answer again, as it was sent."""
    response = HttpResponse(bytes(row.body), status=row.status or 200, content_type=row.content_type or None)
    response[REPLAYED_HEADER] = "true"
    return response
