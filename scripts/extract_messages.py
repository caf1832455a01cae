"""Bring the English catalog up to date with the texts in templates and code.

    .venv/bin/python scripts/extract_messages.py          # rewrite messages.po
    .venv/bin/python scripts/extract_messages.py --check  # exit 1 listing untranslated texts

Translations already in the catalog are kept, new texts are added with an empty msgstr for a
translator to fill, and texts no page uses any more are dropped (git keeps their history).
"""

from __future__ import annotations

import argparse
import sys

from lookthrough.web.messages import (
    CATALOG_PATH,
    extract_messages,
    read_catalog,
    untranslated,
    write_catalog,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check",
        action="store_true",
        help="Change nothing; exit 1 when a text has no English translation.",
    )
    args = parser.parse_args(argv)
    if args.check:
        missing = untranslated(extract_messages(), read_catalog())
        for msgid in missing:
            print(f"untranslated: {msgid}")
        print(f"{len(missing)} untranslated text(s) in {CATALOG_PATH}")
        return 1 if missing else 0
    update = write_catalog()
    for msgid in update.added:
        print(f"added: {msgid}")
    for msgid in update.removed:
        print(f"removed: {msgid}")
    state = "updated" if update.changed else "already up to date"
    print(
        f"{CATALOG_PATH} {state}: {len(update.added)} added, {len(update.removed)} removed, "
        f"{len(update.untranslated)} untranslated"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
