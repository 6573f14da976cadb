"""Thin, idempotent task wrappers around the lenders services (queued by name: lenders.imports)."""

from celery import shared_task

from yunfu_ipfund.notices.tasks import OutboxTask

from .imports import TASK_RECOVER_IMPORTS, TASK_RUN_IMPORT, import_jobs_recover, import_run


@shared_task(name=TASK_RUN_IMPORT, base=OutboxTask)
def run_import(job_id):
    """Retried with backoff when the database is briefly away (OutboxTask), like the notices' tasks; a
    run that finds its job taken or finished does nothing (the job's lease)."""
    import_run(job_id)


@shared_task(name=TASK_RECOVER_IMPORTS)
def recover_import_jobs():
    """Beat, every few minutes: re-queue the imports whose worker died (lease expired), or fail them
    after imports.MAX_ATTEMPTS runs. Returns (requeued, failed)."""
    return import_jobs_recover()
