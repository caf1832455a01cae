"""Turning the error tree into responses, and declaring them in OpenAPI."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from lookthrough.core.errors import (
    LookthroughError,
    NotAuthenticated,
    PermissionDenied,
    ValidationFailed,
)


class ErrorBody(BaseModel):
    """Every error under /api/v1 has this shape."""

    code: str
    detail: str
    context: dict[str, Any] = {}


def errors(*classes: type[LookthroughError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` for the errors a route may raise (one entry per status)."""
    responses: dict[int | str, dict[str, Any]] = {}
    for cls in classes:
        entry = responses.setdefault(cls.status, {"model": ErrorBody, "description": ""})
        note = f"{cls.code}: {cls.default_message}"
        entry["description"] = f"{entry['description']}; {note}" if entry["description"] else note
    return responses


def signed_in(*classes: type[LookthroughError]) -> dict[int | str, dict[str, Any]]:
    """Responses of a route that needs a login and a role (plus the route's own errors)."""
    return errors(NotAuthenticated, PermissionDenied, ValidationFailed, *classes)


def body_for(error: LookthroughError) -> dict[str, Any]:
    context = {k: v for k, v in error.context.items() if isinstance(v, str | int | float | list)}
    return ErrorBody(code=type(error).code, detail=error.message, context=context).model_dump()
