"""Bench-only Django site for bench/pages_bench.py: the portal's settings and URLs plus a bare view and a
query counter. Never imported by the portal itself."""
