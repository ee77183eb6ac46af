"""A small in-memory sliding-window rate limiter, for what anyone may ask without signing in (the public
coverage check and claim status: ``lindung.public``).

    window = SlidingWindow()
    wait = window.hit([(f"client:{address}", PER_CLIENT), (nik_key(nik), PER_NIK)])
    if wait is not None: ...   # refused: try again after ``wait`` seconds; nothing was counted

A hit is counted against every key at once, and only when every key is under its limit (a refused
request uses up nothing). The state lives in this process (docs/decisions/0038-public-checks.md: Lindung
serves from one process; several processes would each count on their own). A NIK is never a key: its
HMAC-SHA256 under a random key made when the process starts (``nik_key``), so that the limiter's memory
holds no personal data and its keys cannot be reversed by hashing every possible NIK.

``reset()`` empties every window of the process (tests start from a clean slate with it).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import secrets
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

_SECRET = secrets.token_bytes(32)
_WINDOWS: weakref.WeakSet[SlidingWindow] = weakref.WeakSet()
_SWEEP_EVERY = 1024
"""Hits between two sweeps of the keys whose window has emptied (memory stays bounded by recent keys)."""


@dataclass(frozen=True)
class Limit:
    """At most ``count`` hits in any ``seconds``."""

    count: int
    seconds: int


def limit_from_env(variable: str, default: int, seconds: int) -> Limit:
    """``Limit(count, seconds)`` with the count from ``variable`` (a whole number ≥ 1), else ``default``."""
    text = os.environ.get(variable, "").strip()
    return Limit(int(text) if text.isdigit() and int(text) >= 1 else default, seconds)


def nik_key(nik: str) -> str:
    """The limiter's key for a NIK: HMAC-SHA256 under this process's random key (never the NIK)."""
    return "nik:" + hmac.new(_SECRET, nik.encode(), hashlib.sha256).hexdigest()


class SlidingWindow:
    """Hit times per key within each key's window; thread-safe (one lock: a hit is a few list operations)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}
        self._spans: dict[str, int] = {}
        self._since_sweep = 0
        _WINDOWS.add(self)

    def hit(self, keys: Sequence[tuple[str, Limit]]) -> int | None:
        """Count one hit against every key, or none when one of them is at its limit: None when admitted,
        else the whole seconds until every refusing key admits again (at least 1)."""
        with self._lock:
            now = self._clock()
            wait = 0.0
            for key, limit in keys:
                times = self._recent(key, limit, now)
                if len(times) >= limit.count:
                    wait = max(wait, times[len(times) - limit.count] + limit.seconds - now)
            if wait > 0:
                return max(1, math.ceil(wait))
            for key, limit in keys:
                self._hits.setdefault(key, deque()).append(now)
                self._spans[key] = max(self._spans.get(key, 0), limit.seconds)
            self._since_sweep += 1
            if self._since_sweep >= _SWEEP_EVERY:
                self._sweep(now)
            return None

    def _recent(self, key: str, limit: Limit, now: float) -> deque[float]:
        times = self._hits.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - limit.seconds:
            times.popleft()
        return times

    def _sweep(self, now: float) -> None:
        self._since_sweep = 0
        for key in [k for k, times in self._hits.items() if not times or times[-1] <= now - self._spans[k]]:
            del self._hits[key]
            del self._spans[key]

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()
            self._spans.clear()
            self._since_sweep = 0

    def __len__(self) -> int:
        """How many keys it holds (for a test of the sweep)."""
        with self._lock:
            return len(self._hits)


def reset() -> None:
    """Empty every window of this process (a test's clean slate)."""
    for window in list(_WINDOWS):
        window.reset()
