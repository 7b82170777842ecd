"""tillit benchmarks: each ``bench_*.py`` measures tillit and its peer in the same run.

Run them with ``python -m benchmarks.run`` (see README.md).
"""
