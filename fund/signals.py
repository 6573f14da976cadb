"""Signals the fund sends, so that apps built on it can react without the fund importing them."""

from django.dispatch import Signal

# Sent after the transaction that posted money INTO the special account has committed
# (contribution, interest, recovery return, clawback). Arguments: posting.
money_arrived = Signal()
