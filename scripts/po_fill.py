"""Fill empty English msgstr entries of locale/en from a JSON dict {Chinese msgid: English}.

Usage: python scripts/po_fill.py translations.json
Multi-line msgids are matched on their joined text. Existing translations are kept.
"""

import json
import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale/en/LC_MESSAGES/django.po"
ENTRY = re.compile(r'(msgid ((?:"(?:[^"\\]|\\.)*"\n)+))(msgstr "")\n(?!")', re.M)


def unquote(block: str) -> str:
    return "".join(json.loads(line) for line in block.strip().splitlines())


def main() -> None:
    table = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    text = PO.read_text(encoding="utf-8")

    def fill(m: re.Match[str]) -> str:
        english = table.get(unquote(m.group(2)))
        if not english:
            return m.group(0)
        return m.group(1) + "msgstr " + json.dumps(english, ensure_ascii=False) + "\n"

    PO.write_text(ENTRY.sub(fill, text), encoding="utf-8")
    missing = [
        unquote(m.group(2))
        for m in ENTRY.finditer(PO.read_text(encoding="utf-8"))
        if unquote(m.group(2))
    ]
    print(f"untranslated: {len(missing)}")
    for msg in missing[:50]:
        print("  ", msg)


if __name__ == "__main__":
    main()
