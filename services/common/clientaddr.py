"""The browser's address, vouched for by the console when it logs a person in through the gateway.

The gateway throttles log-ins per client address. Through the console every log-in comes from the
console's own address, so the console passes the browser's address in a header signed with the internal
secret; the gateway believes the header only when its signature checks out (anyone else's is ignored).
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Legalduty-Client"


def vouch(address: str, *, secret: str) -> str:
    mac = hmac.new(secret.encode(), b"client-address\0" + address.encode(), hashlib.sha256).hexdigest()
    return f"{address} {mac}"


def vouched(value: str | None, *, secret: str) -> str | None:
    """The address in a header made by `vouch` with the same secret; None for anything else."""
    if not value or " " not in value:
        return None
    address, _, mac = value.rpartition(" ")
    if not address or not hmac.compare_digest(vouch(address, secret=secret), value):
        return None
    return address
