"""Identifiers: deterministic ids from source keys, and random tokens."""

from __future__ import annotations

import hashlib
import secrets


def make_id(*parts: object, prefix: str = "") -> str:
    """A stable id from source keys, so importing the same thing twice gives the same id."""
    joined = "\x1f".join(str(part) for part in parts)
    digest = hashlib.sha256(joined.encode("utf-8")).hexdigest()[:24]
    return f"{prefix}{digest}"


def new_token(nbytes: int = 32) -> str:
    """A random URL-safe secret (session tokens, CSRF tokens)."""
    return secrets.token_urlsafe(nbytes)


def token_digest(token: str) -> str:
    """What the database keeps of a session token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()
