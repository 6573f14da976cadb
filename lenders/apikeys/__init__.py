"""The bank users' API keys (issue 11 item 6): hashed at rest, shown once, named, expiring, revocable.

A small app of its own inside lenders (label `apikeys`) so that its model and migrations stand apart
from the bank side's records. The services are in `lenders.services.tokens`, the pages in
`lenders.token_views`, the DRF authentication in `lenders.apikeys.authentication`.
"""
