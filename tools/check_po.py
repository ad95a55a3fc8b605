"""Every entry of the exported .pot is translated in each i18n/*.po, placeholders kept.

Usage: python tools/check_po.py  (exit 1 on a missing, empty, fuzzy or broken entry)
"""

import glob
import os
import re
import sys

import polib

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|%[sd]|\{\{.*?\}\}|<[^>]+>")


def problems(pot, po):
    translated = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete}
    for entry in pot:
        found = translated.get((entry.msgctxt, entry.msgid))
        if found is None or not found.msgstr.strip():
            yield f"untranslated: {entry.msgid[:70]!r}"
        elif "fuzzy" in found.flags:
            yield f"fuzzy: {entry.msgid[:70]!r}"
        elif sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(
            PLACEHOLDER.findall(found.msgstr)
        ):
            yield f"placeholders differ: {entry.msgid[:70]!r}"


def main():
    pot = polib.pofile(os.path.join(HERE, "i18n", "account_dunning.pot"))
    failed = False
    for path in sorted(glob.glob(os.path.join(HERE, "i18n", "*.po"))):
        found = list(problems(pot, polib.pofile(path)))
        name = os.path.basename(path)
        if found:
            failed = True
            print(f"{name}: {len(found)} problem(s)")
            for line in found[:20]:
                print("  " + line)
        else:
            print(f"{name}: {len(pot)} of {len(pot)} entries translated")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
