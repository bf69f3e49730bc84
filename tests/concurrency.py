"""Racing writers for real: threads released together by a barrier, each on its own database connection.

Django's connections are per thread, so each thread is a separate PostgreSQL session (as two requests on
two app servers would be); the barrier makes them start at once, so a missing lock shows as a lost
update or a double decision rather than hiding behind one-after-the-other timing. Use it from
`transaction=True` tests on PostgreSQL only (SQLite serialises every writer on one lock).
"""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` in `count` threads released at once by a barrier; re-raise the first failure.

    An expected refusal is the work's to catch and return as its result, so any exception here is a bug.
    """
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    failures: list[BaseException] = []

    def thread(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=thread, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer never finished (deadlock?)"
    if failures:
        raise failures[0]
    return results
