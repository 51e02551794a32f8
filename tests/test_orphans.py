"""A sweep killed with -9 leaves nothing behind: its pool workers, the forkserver and the resource tracker end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

SPEC = """name: orphans
analysis: criticality
scenarios: [base, tripp, no-russia, red-sea-closed, caspian-winter]
parameters: {scope: [links, places, crossings, countries], rank_by: [unrouted, cost]}
"""


def tagged(tag: str) -> list[int]:
    """Processes whose environment carries ``tag`` (the sweep's children inherit it)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if tag.encode() in (proc / "environ").read_bytes():
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_killing_a_sweep_leaves_no_orphans(tmp_path: Path) -> None:
    spec = tmp_path / "sweep.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    tag = f"CORRIDOR_ORPHAN_TEST={uuid.uuid4().hex}"
    env = {**os.environ, tag.split("=")[0]: tag.split("=")[1]}
    cli = Path(sys.executable).with_name("corridor")
    sweep = subprocess.Popen([str(cli), "sweep", str(spec), "-j", "2", "--store", str(tmp_path / "runs.duckdb")],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(tagged(tag)) < 4 and sweep.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)  # the sweep, the forkserver, the resource tracker and the workers
    assert sweep.poll() is None, "the sweep ended before its workers started: make the grid bigger"
    assert len(tagged(tag)) >= 4, f"only {len(tagged(tag))} processes started"
    sweep.send_signal(signal.SIGKILL)
    sweep.wait()
    deadline = time.monotonic() + 20
    while tagged(tag) and time.monotonic() < deadline:
        time.sleep(0.5)
    left = tagged(tag)
    for pid in left:  # do not leave them to the next test either
        os.kill(pid, signal.SIGKILL)
    assert not left, f"{len(left)} process(es) outlived the killed sweep"
