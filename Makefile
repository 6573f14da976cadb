.PHONY: demo test lint bench
demo:  ## set up and serve the portal with demo data on 127.0.0.1:8000
	bash scripts/demo.sh
test:  ## install test needs and run the whole suite
	bash scripts/test.sh
lint:
	.venv/bin/ruff check .
.PHONY: screenshots
screenshots:  ## refresh the committed walkthrough in docs/screenshots/ (browser tests, /usr/bin/chromium)
	SCREENSHOTS_DIR=docs/screenshots .venv/bin/python -m pytest tests/e2e -q
