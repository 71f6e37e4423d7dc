"""Fewer garbage collections while an object's step runs: the rows a sync handles hold no reference cycles.

CPython's cycle collector runs a pass every 700 allocations and, every so often, a full pass over every object
alive, the whole Django process included. A sync allocates millions of short-lived objects (decoded records,
mapped rows, COPY tuples), none in a cycle, so those passes find nothing: with 50,000 Task records alive,
mapping a row took 19 µs with them and 11 µs without, and the sync's own CPU for 200,000 records fell 13-15 %
(``docs/benchmarks.md``, "Less CPU per row"). During a step, what was alive before it is frozen (never scanned
again until the step ends) and a pass runs every ``SYNC_GC_THRESHOLD`` allocations instead; cycles the step does
make (an exception's traceback, a closed connection) are still collected, only later. 0 leaves the collector be.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings


@contextmanager
def fewer_collections() -> Iterator[None]:
    threshold = int(settings.SYNC_GC_THRESHOLD)
    if threshold <= 0 or not gc.isenabled():
        yield
        return
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(threshold, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
