"""Benchmarks (``make bench``, ``make bench-stages``): commands that print figures. Nothing in
the runtime imports them."""
