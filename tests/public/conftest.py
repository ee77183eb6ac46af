"""The public checks' tests: every test starts with no check counted (the limiter lives in the process)."""

from __future__ import annotations

import pytest

from lindung.kit import throttle


@pytest.fixture(autouse=True)
def _no_checks_counted() -> None:
    throttle.reset()
