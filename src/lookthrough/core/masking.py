"""Masking of personal data (个人信息保护法; GB/T 35273-2020 去标识化).

Phones, ID numbers and the names of private persons are masked by default for every viewer;
roles that need a value ask for it through a separate, audited action.
"""

from __future__ import annotations

import re

_PHONE = re.compile(r"^(\+?86)?(1[3-9]\d)(\d{4})(\d{4})$")


def mask_phone(value: str | None) -> str | None:
    """138****8000 for a mobile number; landlines keep the area code and last two digits."""
    if not value:
        return value
    digits = re.sub(r"[\s-]", "", value)
    match = _PHONE.match(digits)
    if match:
        return f"{match.group(2)}****{match.group(4)}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 6) + digits[-2:]


def mask_id_number(value: str | None) -> str | None:
    """Resident ID: keep the first 6 (the region) and the last 4 characters."""
    if not value:
        return value
    if len(value) <= 10:
        return value[:1] + "*" * (len(value) - 1)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_name(value: str | None) -> str | None:
    """张* / 欧阳** — keep the first character of a person's name."""
    if not value:
        return value
    return value[0] + "*" * (len(value) - 1)
