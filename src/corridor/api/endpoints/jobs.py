"""``/api/jobs``: background jobs (list, status, result, cancel), and submitting the long analyses
(``/api/criticality``, ``/api/assignment``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.exceptions import HTTPException

from ..jobs import Job, JobManager, QueueFull
from ..models import AssignmentRequest, CriticalityRequest, JobOut, JobsOut, errors
from ..service import RouteService
from ..state import JobsDep, ServiceDep

router = APIRouter(tags=["jobs"])

SUBMIT = {"response_model": JobOut, "status_code": 202, "responses": errors(404, 422, 429)}


@router.get("/api/jobs", response_model=JobsOut)
def list_jobs(jobs: JobsDep) -> dict[str, Any]:
    """Jobs queued, running and recently finished (kinds: see /api/capabilities)."""
    queued, running = jobs.counts()
    return {"jobs": [job_out(j) for j in jobs.list()], "queued": queued, "running": running,
            "max_queued": jobs.max_queued, "workers": jobs.workers}


@router.get("/api/jobs/{job_id}", response_model=JobOut, responses=errors(404))
def get_job(job_id: str, jobs: JobsDep) -> dict[str, Any]:
    """A job's status and progress (0–1)."""
    return job_out(find(jobs, job_id))


@router.get("/api/jobs/{job_id}/result", responses=errors(404, 409))
def job_result(job_id: str, jobs: JobsDep) -> Any:
    """The result of a finished job; 409 while it runs or when it failed."""
    job = find(jobs, job_id)
    if job.status != "done":
        raise HTTPException(409, f"job {job_id} is {job.status}" + (f": {job.error}" if job.error else ""))
    return job.result


@router.delete("/api/jobs/{job_id}", response_model=JobOut, responses=errors(404))
def delete_job(job_id: str, jobs: JobsDep) -> dict[str, Any]:
    """Cancel a job that is queued or running, and forget it: its last state is the answer, and the job
    is gone (404) from then on."""
    find(jobs, job_id)
    return job_out(jobs.remove(job_id))


@router.post("/api/criticality", **SUBMIT)
def submit_criticality(params: CriticalityRequest, service: ServiceDep, jobs: JobsDep) -> dict[str, Any]:
    """Start a criticality run as a background job; poll /api/jobs/{id}, then fetch its result."""
    return submit(service, jobs, "criticality", params)


@router.post("/api/assignment", **SUBMIT)
def submit_assignment(params: AssignmentRequest, service: ServiceDep, jobs: JobsDep) -> dict[str, Any]:
    """Start a capacity-aware assignment as a background job; its result has per-link volume and v/c."""
    return submit(service, jobs, "assignment", params)


def submit(service: RouteService, jobs: JobManager, kind: str, params: CriticalityRequest | AssignmentRequest
           ) -> dict[str, Any]:
    """Submit a job; 404 for an unknown scenario and 422 for an unknown cargo class (now rather than a failed
    job later), 429 when the queue is full."""
    params = service.vocabulary.check(params, "body")
    if params.scenario:
        service.scenario(params.scenario)
    try:
        job = jobs.submit(kind, params)
    except QueueFull as exc:
        raise HTTPException(429, str(exc), headers={"Retry-After": "5"}) from None
    return job_out(job)


def find(jobs: JobManager, job_id: str) -> Job:
    job = jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id!r} (finished jobs are kept for a while, then dropped)")
    return job


def job_out(job: Job) -> dict[str, Any]:
    """A job as :class:`JobOut`."""
    return {"id": job.id, "kind": job.kind, "status": job.status, "progress": round(job.progress, 4),
            "message": job.message, "created": job.created, "started": job.started, "finished": job.finished,
            "time_limit_s": job.time_limit_s, "params": job.params.model_dump(), "error": job.error,
            "result_url": f"/api/jobs/{job.id}/result" if job.status == "done" else None}
