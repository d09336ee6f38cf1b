"""Python's cyclic garbage collector held off while a long job builds a large heap.

An import or a replay holds millions of objects (cells, checked rows, decoded events) until
it ends and makes no cycles worth collecting before then; the collector would walk them all
again each time enough new ones pile up, a third of a replay's time. A read that builds
thousands of rows (a team's calendar week, a feed, a time audit) is the same in small:
paused, the rows are freed by their counts instead of being counted long-lived. Reference
counting still frees what goes out of use; only cycles, another thread's included, wait
for the job's end."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The collector off for the block, and back on however it ends (unless it was already
    off when the block began, as in an enclosing block)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
