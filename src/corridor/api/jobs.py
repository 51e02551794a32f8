"""Background jobs for long work (assignment, criticality): submit, watch progress, fetch the result.

Jobs run on a small thread pool, so the server's event loop never waits on them; a bounded queue
refuses new work when full (HTTP 429) instead of piling it up. Every job has a time limit. The work
function receives a ``progress(fraction, message)`` callback; calling it after the job was cancelled
or ran out of time raises :class:`JobCancelled`, which is how a job stops early. Work that never calls
``progress`` cannot be interrupted (Python threads cannot be killed): its status still turns to
``timeout`` at the limit and its late result is dropped.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

Progress = Callable[[float, str], None]
JobFunction = Callable[[BaseModel, Progress], Any]


class JobCancelled(Exception):
    """Raised inside a job by ``progress()`` once the job is cancelled or out of time."""


class QueueFull(Exception):
    """Too many jobs are waiting; try again later."""


@dataclass(frozen=True)
class JobKind:
    """A kind of job: its parameter model, its work function and its time limit."""

    name: str
    params: type[BaseModel]
    run: JobFunction
    time_limit_s: float
    description: str = ""


@dataclass
class Job:
    id: str
    kind: str
    params: BaseModel
    time_limit_s: float
    status: str = "queued"
    progress: float = 0.0
    message: str = ""
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    result: Any = None
    error: str | None = None
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def over(self) -> bool:
        return self.status in ("done", "failed", "cancelled", "timeout")


class JobManager:
    """A bounded pool of background jobs.

    Parameters
    ----------
    workers : int
        Jobs that run at once (threads).
    max_queued : int
        Jobs that may wait for a worker; one more raises :class:`QueueFull`.
    keep : int
        Finished jobs kept for their results (oldest dropped first).
    """

    def __init__(self, *, workers: int = 2, max_queued: int = 8, keep: int = 50) -> None:
        self.workers = workers
        self.max_queued = max_queued
        self.keep = keep
        self.kinds: dict[str, JobKind] = {}
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None  # started at the first job, again after a shutdown

    def register(self, kind: JobKind) -> None:
        self.kinds[kind.name] = kind

    # -- state ----------------------------------------------------------------------------
    def _expire(self, job: Job) -> None:
        """Turn a running job past its limit into ``timeout`` (called under the lock)."""
        if job.status == "running" and job.started and time.time() - job.started > job.time_limit_s:
            job.status, job.finished = "timeout", time.time()
            job.error = f"stopped after its time limit of {job.time_limit_s:g} s"
            job.stop.set()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job:
                self._expire(job)
            return job

    def list(self) -> list[Job]:
        with self._lock:
            for job in self._jobs.values():
                self._expire(job)
            return list(self._jobs.values())

    def counts(self) -> tuple[int, int]:
        jobs = self.list()
        return sum(j.status == "queued" for j in jobs), sum(j.status == "running" for j in jobs)

    # -- actions --------------------------------------------------------------------------
    def submit(self, kind: str, params: BaseModel) -> Job:
        spec = self.kinds[kind]
        with self._lock:
            queued = sum(j.status == "queued" for j in self._jobs.values())
            if queued >= self.max_queued:
                raise QueueFull(f"{queued} jobs are already waiting (the limit is {self.max_queued}); "
                                "try again when one has finished")
            job = Job(id=uuid.uuid4().hex[:16], kind=kind, params=params, time_limit_s=spec.time_limit_s)
            self._jobs[job.id] = job
            self._trim()
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="corridor-job")
            self._pool.submit(self._run, job, spec)
        return job

    def cancel(self, job_id: str) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job and not job.over:
                job.stop.set()
                job.status, job.finished, job.error = "cancelled", time.time(), "cancelled on request"
            return job

    def remove(self, job_id: str) -> Job | None:
        """Cancel a job that has not finished, and forget it."""
        job = self.cancel(job_id)
        with self._lock:
            self._jobs.pop(job_id, None)
        return job

    def shutdown(self, wait: bool = False) -> None:
        """Stop every job; with ``wait``, until their threads are done (a job stops at its next progress
        report). An app's lifespan may start again (in tests): the next job starts a new pool."""
        with self._lock:
            for job in self._jobs.values():
                job.stop.set()
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=True)

    def _trim(self) -> None:
        done = [j.id for j in self._jobs.values() if j.over]
        for job_id in done[: max(0, len(self._jobs) - self.keep)]:
            del self._jobs[job_id]

    def _run(self, job: Job, spec: JobKind) -> None:
        with self._lock:
            if job.status != "queued":  # cancelled while waiting
                return
            job.status, job.started = "running", time.time()

        def progress(fraction: float, message: str = "") -> None:
            with self._lock:
                self._expire(job)
                if job.stop.is_set():
                    raise JobCancelled(job.error or "cancelled")
                job.progress = min(1.0, max(job.progress, float(fraction)))
                job.message = str(message)[:200]

        try:
            result = spec.run(job.params, progress)
        except JobCancelled:
            return
        except Exception as exc:  # noqa: BLE001 - the job's error is reported, not raised
            with self._lock:
                if not job.over:
                    job.status, job.finished = "failed", time.time()
                    job.error = f"{type(exc).__name__}: {exc}"
            return
        with self._lock:
            self._expire(job)
            if not job.over:
                job.status, job.finished, job.progress, job.result = "done", time.time(), 1.0, result
