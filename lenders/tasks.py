"""Thin, idempotent task wrappers around the lenders services."""

from celery import shared_task


@shared_task(name="lenders.run_import")
def run_import(job_id):
    from .imports import import_run

    import_run(job_id)
