"""A real Celery worker process for tests/lenders/test_import_leases.py (not a test module).

Started by the test with the test database's URL and Redis in its environment; IMPORT_TEST_ROW_DELAY
(seconds) makes every import row sleep first (and note it in IMPORT_TEST_PROGRESS_FILE), so the test
can kill the process mid-import, and
IMPORT_TEST_CHUNK_ROWS makes the chunks small. Nothing else differs from `celery -A yunfu_ipfund worker`."""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yunfu_ipfund.settings")

import django  # noqa: E402

django.setup()

from lenders import imports  # noqa: E402
from yunfu_ipfund.celery import app  # noqa: E402

delay = float(os.environ.get("IMPORT_TEST_ROW_DELAY", "0"))
progress = os.environ.get("IMPORT_TEST_PROGRESS_FILE")  # a line per row started, for the test to watch
imports.CHUNK_ROWS = int(os.environ.get("IMPORT_TEST_CHUNK_ROWS", imports.CHUNK_ROWS))
if delay:

    def slow(handler):
        def run(**kwargs):
            if progress:
                with open(progress, "a") as out:
                    out.write("row\n")
            time.sleep(delay)
            return handler(**kwargs)

        return run

    imports.ROW_HANDLERS = {kind: slow(handler) for kind, handler in imports.ROW_HANDLERS.items()}

app.worker_main(
    [
        "worker",
        "--pool=solo",
        "--loglevel=WARNING",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
    ]
)
