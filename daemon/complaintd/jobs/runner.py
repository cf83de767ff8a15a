"""The job runner: every timed job, decided from the ledger at the clock's ``now``.

``complaintd once`` runs :func:`run_due_jobs` after fetching and processing (so
``--now`` simulates any moment); ``complaintd run`` ticks it through the ``schedule``
library at the start of every minute (so a job due at ``digest_time`` runs on the
minute).  A job never needs the tick it "missed": it takes what is due at ``now``, one
mail per due step, and its steps are claimed under unique keys
(:mod:`complaintd.jobs.steps`), so instances sharing the database, repeated passes and
restarts send each step once.  Each job's last run is kept for ``complaintd status``.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import schedule

from complaintd.jobs.chase import chase_sheets
from complaintd.jobs.promise import keep_promises, mark_sla_breaches
from complaintd.jobs.reports import daily_digest, monthly_report
from complaintd.jobs.survey import follow_up_surveys
from complaintd.runtime import Runtime
from complaintd.store.timed import JobRun

log = logging.getLogger(__name__)

HOLDER = f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Job:
    """One timed job: ``run(runtime, now)`` takes every step due and counts them."""

    name: str
    run: Callable[[Runtime, datetime], int]


JOBS: tuple[Job, ...] = (
    Job("sla", mark_sla_breaches),
    Job("promise", keep_promises),
    Job("chase", chase_sheets),
    Job("survey", follow_up_surveys),
    Job("digest", daily_digest),  # after the others: it reports what they did
    Job("report", monthly_report),
)


@dataclass(frozen=True)
class JobReport:
    """What one run of a job did."""

    job: str
    steps: int
    duration_ms: float
    error: str | None = None


def run_due_jobs(runtime: Runtime, jobs: tuple[Job, ...] = JOBS) -> list[JobReport]:
    """Run every job at the clock's ``now``; a failing job is reported, the others run."""
    now = runtime.clock.now()
    return [_run(runtime, job, now) for job in jobs]


def _run(runtime: Runtime, job: Job, now: datetime) -> JobReport:
    started = time.perf_counter()
    steps, error = 0, None
    try:
        steps = job.run(runtime, now)
    except Exception as exc:  # one job's failure must not stop the others or the daemon
        log.exception("job %s failed", job.name)
        error = f"{type(exc).__name__}: {exc}"
    report = JobReport(job.name, steps, (time.perf_counter() - started) * 1000, error)
    _remember(runtime, report, now)
    if steps:
        log.info("job %s: %d step(s)", job.name, steps)
    return report


def _remember(runtime: Runtime, report: JobReport, now: datetime) -> None:
    """Keep the run in ``job_run`` (status); never let that failing hide the job's own work.

    Both times are the clock's (``--now`` in simulations): the run started at ``now`` and
    finished what it took later, so ``status`` shows one time line."""
    values = {
        "last_run_at": now,
        "finished_at": now + timedelta(milliseconds=report.duration_ms),
        "duration_ms": report.duration_ms,
        "steps": report.steps,
        "error": report.error,
        "holder": HOLDER,
    }
    try:
        with runtime.database.atomic():
            JobRun.insert(job=report.job, **values).on_conflict(
                conflict_target=[JobRun.job], update=values
            ).execute()
    except Exception:
        log.exception("could not record the run of job %s", report.job)


def schedule_jobs(
    scheduler: schedule.Scheduler, runtime: Runtime, after: Callable[[], None]
) -> None:
    """Tick the jobs at the start of every minute; ``after`` runs when mail was queued."""

    def tick() -> None:
        reports = run_due_jobs(runtime)
        if any(report.steps for report in reports):
            after()

    scheduler.every().minute.at(":00").do(tick)
