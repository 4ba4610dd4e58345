"""`Idempotency-Key` on the HTML form posts too (the phone's queue of forms sent once the network is back).

The same rules as the API (anwei.core.idempotency): per user, the first answer is kept and given again, with
`Idempotent-Replayed: true`, to a retry with the same key; nothing is done a second time. A form view answers a
redirect when it has done its work (post/redirect/get): that redirect is turned into a small JSON answer
`{"location": …, "reference": …}` the queue can read (a script cannot read a redirect's address), and kept. A form
shown again with its errors, a refusal, or an error did nothing: the key is released and the answer passes as it
is. Requests without the header are untouched, so a form posted without JavaScript works as before.

The key is claimed in `process_view` — after the CSRF check, the sign-in redirect and the second-factor step (this
middleware comes after them) — so a replay is only ever given to the signed-in user who made the first request."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from .errors import BusinessRuleError
from .idempotency import (
    HEADER,
    REQUEST_ATTR,
    Claim,
    KeyInUse,
    Replay,
    finish_claim,
    release_claim,
    replayed,
    take_claim,
)

_REFERENCE = "anwei_reference"  # a form view names the record it made (a report's reference number)


class FormIdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        claim: Claim | None = getattr(request, REQUEST_ATTR, None)
        if claim is None or not isinstance(claim, _FormClaim):
            return response
        if response.status_code in (301, 302, 303) and response.has_header("Location"):
            answer = JsonResponse(
                {"location": response["Location"], "reference": getattr(response, _REFERENCE, "")}, status=200
            )
            answer.cookies = response.cookies  # the session and the message shown on the next page
            finish_claim(claim, answer)
            return answer
        release_claim(claim)  # shown again with errors, refused or failed: nothing was done
        return response

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponseBase | None:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or request.path.startswith("/api/"):
            return None
        if not getattr(request, "user", None) or not request.user.is_authenticated:
            return None
        claim = _FormClaim(key.strip())
        try:
            take_claim(claim, request)
        except Replay as replay:
            return replayed(replay.row)
        except KeyInUse:
            message = _("A request with this Idempotency-Key is still being processed; send it again in a moment.")
            return JsonResponse({"detail": message}, status=409)
        except BusinessRuleError as exc:
            return JsonResponse({"detail": str(exc.message)}, status=422)
        setattr(request, REQUEST_ATTR, claim)
        return None


class _FormClaim(Claim):
    pass


def with_reference(response: HttpResponse, reference: str) -> HttpResponse:
    """Name the record a form made on its redirect, for the queue on the phone to show."""
    setattr(response, _REFERENCE, reference)  # not a header: it stays on the server, in any script
    return response
