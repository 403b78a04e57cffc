"""How names written by people compare: header names, aliases, mapping keys.

"Date de création", "date_de_creation" and "DATE DE CREATION" are the same column to an
analyst, so names are compared after lowercasing, removing accents and turning any run of
punctuation or spaces into one underscore.
"""

from __future__ import annotations

import re
import unicodedata


def normalise(name: str) -> str:
    """Lowercase, strip accents, and turn any run of punctuation or spaces into `_`."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lstrip("\ufeff"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")
