"""Racing writers for real: threads released together by a barrier, each on its own database connection.

Django's connections are per thread, so each thread is a separate PostgreSQL session (as two requests on
two app servers would be); the barrier makes them start at once, so a missing lock shows as a lost
update or a double decision rather than hiding behind one-after-the-other timing. Use it from
`transaction=True` tests on PostgreSQL only (SQLite serialises every writer on one lock).
"""

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection, connections, transaction


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


def _meet(barrier: threading.Barrier, timeout: float) -> None:
    # A broken or timed-out barrier (one request refused before it got here) lets the other go on alone.
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(timeout=timeout)


def meeting_before(call: Callable[..., Any], count: int = 2, timeout: float = 3.0) -> Callable[..., Any]:
    """`call`, made to wait until `count` threads have reached it: each request has made its checks
    ("already in use?", "still unused?") before any of them writes, as two app servers interleave by
    chance. Patch it in where the request calls the writing service."""
    barrier = threading.Barrier(count)

    def met(*args: Any, **kwargs: Any) -> Any:
        _meet(barrier, timeout)
        return call(*args, **kwargs)

    return met


def meeting_after(call: Callable[..., Any], count: int = 2, timeout: float = 3.0) -> Callable[..., Any]:
    """`call`, whose `count` callers wait for each other once it has returned (each has read the state it
    checked, e.g. a device's last used step) before going on to act on it."""
    barrier = threading.Barrier(count)

    def met(*args: Any, **kwargs: Any) -> Any:
        result = call(*args, **kwargs)
        _meet(barrier, timeout)
        return result

    return met


def paused_for(
    monkeypatch: pytest.MonkeyPatch,
    where: object,
    name: str,
    *,
    read: Callable[[], Any],
    write: Callable[[], Any],
    before: bool = False,
) -> tuple[Any, Any]:
    """Run `read` and `write` on two real sessions, `write` committing at one chosen moment of `read`.

    `where.name` (a function the reading request calls) pauses the reading thread, once, just after it
    returns (or just before it runs, `before=True`) until `write` has finished: a merge, say, committing
    between a page loading a record and opening its key. Returns (what `read` returned, what `write` did).
    """
    reached, written = threading.Event(), threading.Event()
    real = getattr(where, name)
    reader: list[threading.Thread] = []

    def pausing(*args: Any, **kwargs: Any) -> Any:
        pause = threading.current_thread() in reader and not reached.is_set()
        if pause and before:
            reached.set()
            assert written.wait(timeout=30)
        result = real(*args, **kwargs)
        if pause and not before:
            reached.set()
            assert written.wait(timeout=30)
        return result

    monkeypatch.setattr(where, name, pausing)

    def work(index: int) -> Any:
        if index == 0:
            reader.append(threading.current_thread())
            return read()
        assert reached.wait(timeout=30)
        try:
            return write()
        finally:
            written.set()

    first, second = run_together(2, work)
    return first, second


WAITED = "waited"


def waiting_at_most(change: Callable[[], Any], lock_wait: str = "2s") -> Callable[[], Any]:
    """`change` in its own transaction that waits at most `lock_wait` for a row lock (PostgreSQL's
    `lock_timeout`): its result, or WAITED if a lock held it that long and nothing was committed. A writer
    racing a paused reader must finish while the reader waits: a wait proves the reader holds the row."""

    def write() -> Any:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = '{lock_wait}'")
                return change()
        except OperationalError:
            return WAITED

    return write


def postgresql_race(reason: str = "PostgreSQL only") -> list[pytest.MarkDecorator]:
    """The marks of a module whose tests race real PostgreSQL sessions: marked `postgresql`, run with
    real transactions (`django_db(transaction=True)`), skipped on SQLite, which serialises every writer."""
    return [
        pytest.mark.postgresql,
        pytest.mark.django_db(transaction=True),
        pytest.mark.skipif(connection.vendor != "postgresql", reason=reason),
    ]
