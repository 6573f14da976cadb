"""Reminder actions: moves the Measures make by themselves once a deadline passes (run by the sweep)."""
