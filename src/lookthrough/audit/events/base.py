"""The base of every audit event: its kind, its label, the type of object it is about."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class AuditEventType:
    kind: ClassVar[str]
    label: ClassVar[str]
    object_type: ClassVar[str | None] = None
