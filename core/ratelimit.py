"""Attempt limits for guessing secrets (a resident's PIN, a password), and the client address.

One rule for every secret: only *failed* attempts count, and the limit is first per thing
that is guessed (a resident link, a user name) and only then, much wider, per client
address. A correct PIN or password never counts against anyone and resets the counter of
its link or user name, so an attacker's tries can lock out neither another resident nor
another user; residents behind one proxy or one shared Wi-Fi have one address, which is why
the per-address limit is only a safety net against someone trying very many links or names.

The counters live in the default cache, so the limits hold across web workers and, with
WIJK_CACHE_URL=redis://…, across servers (docs/configuration.md). The address comes from
`client_address`, which trusts X-Forwarded-For only as far as WIJK_TRUSTED_PROXIES says.
"""

import hashlib
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Limit:
    """At most `attempts` failures per key within `window` seconds of the first failure."""

    name: str
    attempts: int
    window: int


WINDOW = 15 * 60
# Residents: the lock per link (5 wrong PINs) lives with the link itself, in the database
# (rentals.resident); this is the wide net per address.
RESIDENT_PIN_PER_ADDRESS = Limit("resident-pin-address", attempts=200, window=WINDOW)
# Passwords, for the login page and the API token endpoint together: guessing through
# one or the other counts the same.
PASSWORD_PER_USERNAME = Limit("password-username", attempts=10, window=WINDOW)
PASSWORD_PER_ADDRESS = Limit("password-address", attempts=100, window=WINDOW)


def client_address(request: HttpRequest) -> str:
    """The client's IP address, as seen by the outermost of our trusted proxies.

    With WIJK_TRUSTED_PROXIES = 0 it is REMOTE_ADDR and X-Forwarded-For is ignored (anyone
    can send it). With N trusted proxies, each of them appends the address it received the
    request from, so the Nth address from the right is the one the first proxy saw;
    anything further left was written by the client and cannot be trusted. A request that
    did not pass all N proxies (too few addresses) or a malformed entry falls back to
    REMOTE_ADDR, which cannot be spoofed.
    """
    remote = request.META.get("REMOTE_ADDR") or ""
    trusted: int = settings.WIJK_TRUSTED_PROXIES
    if trusted <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < trusted:
        return remote
    candidate = forwarded[-trusted]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def address_key(address: str) -> str:
    """What the per-address limits count: the address, or its /64 network for IPv6 (one
    household or machine gets a whole /64, and could otherwise change address per try)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _cache_key(limit: Limit, key: str) -> str:
    # Hashed: user names and link keys do not appear in the cache, and any text fits.
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return f"ratelimit:{limit.name}:{digest}"


def attempts_blocked(limit: Limit, key: str) -> bool:
    """True while `key` has used up its failed attempts."""
    return int(cache.get(_cache_key(limit, key), 0)) >= limit.attempts


def attempt_failed(limit: Limit, key: str) -> None:
    """Count one failed attempt; the window starts at the first failure."""
    cache_key = _cache_key(limit, key)
    cache.add(cache_key, 0, limit.window)
    try:
        cache.incr(cache_key)  # atomic in Redis: two servers counting at once lose nothing
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, limit.window)


def attempts_reset(limit: Limit, key: str) -> None:
    """Forget the failed attempts of `key` (after a success)."""
    cache.delete(_cache_key(limit, key))


def username_key(username: str) -> str:
    """User names are counted case-insensitively: "Cora" and "cora" are one target."""
    return username.strip().casefold()[:150]


def password_attempt_blocked(*, username: str, address: str) -> bool:
    """Whether a password attempt for `username` from `address` is refused before checking."""
    return attempts_blocked(PASSWORD_PER_USERNAME, username_key(username)) or attempts_blocked(
        PASSWORD_PER_ADDRESS, address_key(address)
    )


def password_attempt_record(*, username: str, address: str, success: bool) -> None:
    """A right password resets its user name's counter; a wrong one counts for both."""
    if success:
        attempts_reset(PASSWORD_PER_USERNAME, username_key(username))
        return
    attempt_failed(PASSWORD_PER_USERNAME, username_key(username))
    attempt_failed(PASSWORD_PER_ADDRESS, address_key(address))
