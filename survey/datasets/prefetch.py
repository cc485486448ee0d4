"""An iterator run one item ahead on a thread: the export reads the next chunk while this one is written.

Why (issue 14, point 5): SQLite's sqlite3 module and psycopg let go of the GIL while the database
works (``sqlite3_step``, waiting on the server), and that is most of reading a chunk. On a thread,
that reading overlaps the checking, scoring and CSV text of the chunk before it, which hold the
GIL, so the export's wall time falls below its CPU time on two cores.

One item ahead at most: the producer starts the next item only once the consumer has taken the
last one, so memory holds the chunk being written and the one being read, never more. The
producer owns the iterator while it runs (so all the SQL of an export runs on that one thread,
one statement at a time, on the reader's one connection and snapshot); an error there is raised
in the consumer, and a consumer that stops early stops the producer before it returns.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar, cast

T = TypeVar("T")

# How often a producer waiting for the consumer checks whether it has gone (seconds).
_POLL = 0.1


class _Done:
    """The producer's last message: the iterator is exhausted."""


def prefetched(items: Iterator[T]) -> Generator[T]:
    """`items`, each produced on a thread while the consumer works on the one before."""
    handed: queue.Queue[tuple[T | _Done | None, BaseException | None]] = queue.Queue(maxsize=1)
    taken = threading.Semaphore(1)  # released each time the consumer takes an item
    stop = threading.Event()

    def produce() -> None:
        try:
            while True:
                while not taken.acquire(timeout=_POLL):
                    if stop.is_set():
                        return
                if stop.is_set():
                    return
                item = next(items, _Done())
                handed.put((item, None))
                if isinstance(item, _Done):
                    return
        except BaseException as error:  # handed to the consumer, which raises it
            handed.put((None, error))

    thread = threading.Thread(target=produce, name="prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item, error = handed.get()
            if error is not None:
                raise error
            if isinstance(item, _Done):
                return
            taken.release()
            yield cast(T, item)  # not None: only an error comes with None
    finally:
        stop.set()
        thread.join()
        # The producer has stopped: its iterator may be closed here (its cursors closed).
        close = getattr(items, "close", None)
        if close is not None:
            close()
