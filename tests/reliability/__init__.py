"""Reliability and security proof: fault corpus, crash, concurrency and load harnesses.

The fast scenarios run in the normal test suite (``tests/test_*.py`` import from here); the long
ones live in ``tests/reliability/test_long.py`` and run only from ``scripts/reliability``.
"""
