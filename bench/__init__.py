"""Benchmarks: ``python bench/run.py`` prints every figure with its ratio to a same-run reference."""
