"""Shared fixtures: the small test network (tests/data/mini) and the bundled one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corridor.network import load_network
from corridor.routing import Router

MINI = Path(__file__).parent / "data" / "mini"


@pytest.fixture(scope="session")
def mini_router() -> Router:
    return Router(load_network(MINI))


@pytest.fixture(scope="session")
def router() -> Router:
    """A Router on the bundled dataset."""
    return Router()


@pytest.fixture
def mini_copy(tmp_path: Path) -> Path:
    """A writable copy of the mini dataset, for tests that break a file."""
    target = tmp_path / "data"
    shutil.copytree(MINI, target)
    return target
