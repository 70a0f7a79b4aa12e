"""File names people download: ASCII only (safe in a header, a ZIP or any file system), but
transliterated, not mangled: "Zofia Nowak-Żółkiewska" gives zofia-nowak-zolkiewska."""

from __future__ import annotations

import unicodedata

# Letters that Unicode does not decompose into a base letter and a mark.
_SPECIAL = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ø": "o",
        "Ø": "O",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
        "Þ": "Th",
        "ı": "i",
    }  # fmt: skip
)


def ascii_slug(text: str, fallback: str) -> str:
    """Lower-case ASCII letters and digits joined by single hyphens; `fallback` if none."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    out = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in plain.lower())
    return "-".join(part for part in out.split("-") if part) or fallback
