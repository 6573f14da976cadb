#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yunfu_ipfund.settings")
    # A management command run with no SECRET_KEY at all is a developer's machine: development mode.
    # A configured deployment sets SECRET_KEY (and DEBUG=false); the web process (wsgi.py) never
    # gets this default and still refuses to start without a secret.
    if not os.environ.get("SECRET_KEY"):
        os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
