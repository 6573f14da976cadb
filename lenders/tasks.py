"""Thin, idempotent task wrappers around the lenders services (queued by name: lenders.imports)."""

from celery import shared_task

from .imports import TASK_RUN_IMPORT, import_run


@shared_task(name=TASK_RUN_IMPORT)
def run_import(job_id):
    import_run(job_id)
