"""Benchmarks that print ratios against a baseline measured in the same run (`python -m bench`).

See bench/README.md for what is measured and how to read the numbers.
"""
