"""servicestat analysis code: pure functions for parsing, checking, modelling and auditing.

Nothing in this package imports snakemake or builds paths: callers pass paths and text in.
"""
