"""Every upward request is signed with the link's secret: HMAC-SHA256 over "<timestamp>." + the body."""

import hashlib
import hmac
import time

MAX_SKEW_SECONDS = 300
LINK_HEADER = "X-Anwei-Link"
TIMESTAMP_HEADER = "X-Anwei-Timestamp"
SIGNATURE_HEADER = "X-Anwei-Signature"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def headers(key: str, secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(now if now is not None else time.time()))
    return {LINK_HEADER: key, TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)}


def valid(secret: str, timestamp: str, body: bytes, given: str, now: float | None = None) -> bool:
    if not timestamp.isdigit() or abs(int(timestamp) - (now if now is not None else time.time())) > MAX_SKEW_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), given)


def split_token(token: str) -> tuple[str, str, str]:
    """A link token is "<agency code>.<link key>.<secret>"."""
    code, key, secret = token.strip().split(".")
    return code, key, secret
