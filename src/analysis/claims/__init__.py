"""Claims audit: the reports' numeric claims recomputed from their own tables.

Light on import (names only): the rules read :data:`TABLES`.
"""

TABLES = ("claims", "claims_detail")
