.PHONY: demo test lint bench
demo:  ## set up and serve the portal with demo data on 127.0.0.1:8000
	bash scripts/demo.sh
test:  ## install test needs and run the whole suite
	bash scripts/test.sh
.PHONY: check
lint:  ## ruff: lint (E501 at 110 columns) and format check
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
check: lint  ## every guardrail of .ci/run (and .pre-commit-config.yaml), without the tests
	.venv/bin/python manage.py makemigrations --check --dry-run
	.venv/bin/lint-imports
	.venv/bin/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	DEBUG=true .venv/bin/mypy yunfu_ipfund/common fund
.PHONY: screenshots
screenshots:  ## refresh the committed walkthrough in docs/screenshots/ (browser tests, /usr/bin/chromium)
	SCREENSHOTS_DIR=docs/screenshots .venv/bin/python -m pytest tests/e2e -q
