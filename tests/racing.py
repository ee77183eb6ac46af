"""Racing transactions: each job in its own thread, engine and unit of work, all released at once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from lindung.kit.db import session_scope


def race(database: Any, jobs: Sequence[Callable[[Session], object]]) -> list[object]:
    """What each job returned, or the exception it raised (the outcome is what a test asserts on)."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(i: int) -> None:
        engine = database.new_engine()
        try:
            barrier.wait(timeout=30)
            with session_scope(engine) as s:
                results[i] = jobs[i](s)
        except Exception as exc:
            results[i] = exc
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    return results
