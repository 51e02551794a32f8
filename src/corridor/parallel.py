"""Run independent tasks on a local process pool (the default) or on a Ray cluster.

``run_tasks(fn, shared, items)`` calls ``fn(shared, item)`` for every item and returns the results in
item order. ``shared`` is sent to each worker once (the pool's initializer, or ``ray.put``), so a
large read-only problem is not pickled per task. ``on_result`` sees each result as soon as it is
finished, in completion order, in the calling process — the place to write it to the run store.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import nullcontext
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from . import validate
from .errors import CorridorError, InvalidOptionError

T = TypeVar("T")
R = TypeVar("R")

_SHARED: Any = None


#: local worker processes one run may start, at most (more than the machine's CPUs only adds overhead)
MAX_WORKERS = 64


def default_workers() -> int:
    """The CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def progress_bar(console: Console | None = None, *, enabled: bool | None = None) -> Progress:
    """A rich progress bar on stderr, shown only on a terminal unless ``enabled`` is given."""
    console = console or Console(stderr=True)
    show = console.is_terminal if enabled is None else enabled
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TimeRemainingColumn(), console=console, transient=True, disable=not show)


def _init(shared: Any, parent: int) -> None:
    global _SHARED
    _SHARED = shared
    threading.Thread(target=_exit_with, args=(parent,), name="corridor-parent-watch", daemon=True).start()


def _exit_with(parent: int) -> None:
    """End this worker when the process that started the pool is gone (killed with -9, say): a pool's
    workers are children of the forkserver, which outlives the parent while they run."""
    while True:
        time.sleep(0.5)
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            os._exit(1)


def _call(fn: Callable[[Any, Any], Any], item: Any) -> Any:
    return fn(_SHARED, item)


def _ray_call(fn: Callable[[Any, Any], Any], shared: Any, item: Any) -> Any:  # pragma: no cover - runs in Ray
    return fn(shared, item)


def _context() -> Any:
    """Forkserver where there is one (no fork of a process with threads), with the engine preloaded so that
    workers start as forks of a process that has already imported numpy, scipy, pandas and corridor."""
    if "forkserver" not in mp.get_all_start_methods():  # pragma: no cover - Windows, macOS spawn
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["corridor.freight.criticality", "corridor.sweep", "corridor.freight.economics"])
    return ctx


def connect_ray(address: str, *, num_cpus: int | None = None) -> None:
    """Connect to a Ray cluster at ``address`` (``host:port``), or start a local one for ``local``."""
    try:
        import ray
    except ImportError:  # pragma: no cover - ray is an optional dependency
        raise InvalidOptionError("--ray needs the ray package: pip install 'ray>=2.9'") from None
    if ray.is_initialized():
        return
    try:
        if address == "local":
            ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=address, log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise InvalidOptionError(f"cannot connect to the Ray cluster at {address!r}: {exc}") from None


def run_tasks(fn: Callable[[Any, T], R], shared: Any, items: Sequence[T], *, workers: int = 1,
              ray_address: str | None = None, description: str = "working", progress: Progress | None = None,
              on_result: Callable[[int, R], None] | None = None, weights: Sequence[int] | None = None) -> list[R]:
    """``[fn(shared, item) for item in items]``, serially, on ``workers`` processes, or on Ray.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled by reference), ``fn(shared, item) -> result``.
    shared : object
        Read-only data every call needs; sent once per worker.
    items : sequence
        One task each.
    workers : int
        Processes of the local pool; 1 runs in this process. Ignored with ``ray_address``.
    ray_address : str, optional
        ``host:port`` of a Ray cluster, or ``local`` to start one here with ``workers`` CPUs.
    progress : rich Progress, optional
        A live progress bar to advance (one task is added to it); by default one is made.
    on_result : callable, optional
        ``on_result(index, result)`` in this process as each task finishes.
    weights : sequence of int, optional
        How far each item advances the progress bar (default 1 each).
    """
    validate.whole(workers, "workers", 1, MAX_WORKERS)
    n = len(items)
    results: list[Any] = [None] * n
    steps = list(weights) if weights is not None else [1] * n
    own = progress is None
    bar = progress or progress_bar()
    with bar if own else nullcontext():
        task = bar.add_task(description, total=sum(steps))

        def done(i: int, value: Any) -> None:
            results[i] = value
            if on_result is not None:
                on_result(i, value)
            bar.advance(task, steps[i])

        if ray_address:
            connect_ray(ray_address, num_cpus=workers)
            import ray

            shared_ref = ray.put(shared)
            remote = ray.remote(_ray_call)
            pending = {remote.remote(fn, shared_ref, item): i for i, item in enumerate(items)}
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=1)
                for ref in ready:
                    try:
                        value = ray.get(ref)
                    except Exception as exc:  # a RayTaskError wraps the worker's exception
                        cause = getattr(exc, "cause", None)
                        if isinstance(cause, CorridorError):
                            raise cause from None
                        raise
                    done(pending.pop(ref), value)
        elif workers <= 1 or n <= 1:
            for i, item in enumerate(items):
                done(i, fn(shared, item))
        else:
            ctx = _context()
            with ProcessPoolExecutor(max_workers=min(workers, n), mp_context=ctx, initializer=_init,
                                     initargs=(shared, os.getpid())) as pool:
                futures = {pool.submit(_call, fn, item): i for i, item in enumerate(items)}
                remaining = set(futures)
                try:
                    while remaining:
                        finished, remaining = wait(remaining, return_when=FIRST_COMPLETED)
                        for fut in finished:
                            done(futures[fut], fut.result())
                except BaseException:
                    for fut in remaining:
                        fut.cancel()
                    raise
        bar.remove_task(task)
    return results

