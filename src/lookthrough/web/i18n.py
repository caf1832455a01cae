"""Page language: Chinese by default, English from a gettext catalog.

The msgids are the Chinese texts themselves, so a missing translation shows Chinese (the
product's language) rather than a code. Catalogs live in ``web/locale/<lang>/LC_MESSAGES/
messages.po`` and are read directly with Babel (no compile step); a test fails when a text in
a template or marked in code has no English translation.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from babel.messages.pofile import read_po

LOCALES = ("zh_CN", "en")
LOCALE_LABELS = {"zh_CN": "中文", "en": "English"}


@lru_cache(maxsize=len(LOCALES))
def catalog(locale: str) -> dict[str, str]:
    """msgid → translation for one locale (empty for the source language)."""
    if locale == "zh_CN":
        return {}
    path = resources.files("lookthrough.web") / "locale" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        parsed = read_po(handle, locale=locale)
    return {
        str(m.id): str(m.string)
        for m in parsed
        if m.id and isinstance(m.string, str) and m.string and not m.fuzzy
    }


def gettext(locale: str, message: str) -> str:
    return catalog(locale).get(message, message) if locale != "zh_CN" else message


def negotiate(cookie: str | None, query: str | None, default: str) -> str:
    """The locale for a request: ?lang= first, then the cookie, then the setting."""
    for candidate in (query, cookie):
        if candidate in LOCALES:
            return candidate
    return default


def N_(message: str) -> str:
    """Mark a text in code for the catalog; translated when rendered."""
    return message
