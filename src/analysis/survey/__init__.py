"""Riksrevisionen survey analysis: recovered denominators, intervals and tests.

Light on import (names only): the rules read :data:`TABLES` to declare the outputs.
"""

TABLES = ("denominators", "intersections", "estimates", "tests", "pairwise", "answers", "answer_checks")
