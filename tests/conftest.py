"""Fixtures shared by every test folder."""

from __future__ import annotations

import pytest
from helpers import FakeClock

from console.settings import Settings


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
