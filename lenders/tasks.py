"""Thin, idempotent task wrappers around the lenders services (queued by name: lenders.imports)."""

from celery import shared_task

from .imports import TASK_RECOVER_IMPORTS, TASK_RUN_IMPORT, import_jobs_recover, import_run


@shared_task(name=TASK_RUN_IMPORT)
def run_import(job_id):
    import_run(job_id)


@shared_task(name=TASK_RECOVER_IMPORTS)
def recover_import_jobs():
    """Beat, every few minutes: re-queue the imports whose worker died (lease expired), or fail them
    after imports.MAX_ATTEMPTS runs. Returns (requeued, failed)."""
    return import_jobs_recover()
