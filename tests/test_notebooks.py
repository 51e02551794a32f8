"""The notebooks in examples/ run top to bottom, each in a fresh kernel, without an error; and the
copies in the repository carry their outputs, so that they read as they run."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))
#: seconds one cell may take (the slowest takes a few)
CELL_TIMEOUT = 120
#: kernels at once: the machine has two cores
AT_ONCE = 2


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Every notebook executed in its own fresh kernel (two at a time), in a scratch folder: the
    executed notebook, or the error that stopped it."""
    folder = tmp_path_factory.mktemp("notebooks")

    async def run(path: Path, gate: asyncio.Semaphore) -> object:
        async with gate:
            book = nbformat.read(path, as_version=4)
            client = nbclient.NotebookClient(book, timeout=CELL_TIMEOUT, kernel_name="python3",
                                             resources={"metadata": {"path": str(folder)}})
            await client.async_execute()
            return book

    async def run_all() -> list[object]:
        gate = asyncio.Semaphore(AT_ONCE)
        return await asyncio.gather(*(run(p, gate) for p in NOTEBOOKS), return_exceptions=True)

    return dict(zip((p.stem for p in NOTEBOOKS), asyncio.run(run_all())))


def test_there_are_notebooks() -> None:
    assert {"corridor_comparison", "tripp", "assignment", "energy"} <= {p.stem for p in NOTEBOOKS}


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, executed: dict[str, object]) -> None:
    book = executed[path.stem]
    if isinstance(book, BaseException):
        raise book
    outputs = [o for cell in book.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "a map is drawn"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_repository_copy_carries_its_outputs(path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    code = [cell for cell in book.cells if cell.cell_type == "code"]
    assert code and all(cell.execution_count for cell in code), f"run {path.name} and save it with its outputs"
    assert not [o for cell in code for o in cell.outputs if o.output_type in ("error", "stream")], \
        "no error, warning or stray print in the saved outputs"
