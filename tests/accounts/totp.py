"""RFC 6238 TOTP codes computed by the tests themselves (HMAC-SHA1, 30 s steps, 6 digits), so a
test checks the portal against the standard, not against the library it uses."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time


def totp_code(secret: str, at: float | None = None, *, step: int = 30, digits: int = 6) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def wrong_code(code: str) -> str:
    """Another code of the same length (each digit moved by one)."""
    return "".join(str((int(d) + 1) % 10) for d in code)
