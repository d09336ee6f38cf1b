"""The generator's version: a digest of the code that decides what the demo writes.

Any change to this package, to the aggregates (what an event holds, which rules refuse
what) or to the commands (the rules the generator shares with them, the models that shape
an interaction's details) gives a new version, so a copy of the demo kept for a version
(the benchmarks keep one) is never mistaken for what the generator writes today. A
change that leaves the output as it was gives a new version too: the price of never
keeping a stale copy.
"""

import hashlib
from functools import cache
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent.parent
_SOURCES = ("letopis/demo", "aggregates", "commands")


@cache
def generator_version() -> str:
    """Read from the sources when first asked, not when the package is imported: only a
    benchmark that keeps a copy needs it."""
    digest = hashlib.sha256()
    for folder in _SOURCES:
        for path in sorted((_ROOT / folder).glob("*.py")):
            digest.update(f"{folder}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
