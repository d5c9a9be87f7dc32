"""Parsing numbers printed the Swedish way.

Swedish publications print a decimal comma, a space (often U+00A0 or U+202F) as the
thousands separator, ``%`` after a space, and U+2212 or ``-`` as the minus sign.
The parser keeps the number of printed decimals, because the rounding interval of a
printed number is what every later consistency check works with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# Characters accepted as the group (thousands) separator when a field declares
# groupChar " ": ordinary space, no-break space, narrow no-break space, thin space.
SPACES = " \u00a0\u202f\u2009"
MINUS = "-\u2212\u2013"

_NUMBER = re.compile(
    rf"^(?P<sign>[{MINUS}])?"
    rf"(?P<int>\d{{1,3}}(?:[{SPACES}]\d{{3}})+|\d+)"
    r"(?:,(?P<frac>\d+))?"
    rf"(?P<pct>[{SPACES}]?%)?$"
)

EXPECTED = (
    "a number printed the Swedish way, e.g. '12', '1 234', '45,6', '45,6 %', '-3,2', or a declared missing-value marker"
)


@dataclass(frozen=True)
class Printed:
    """A parsed printed number.

    Attributes
    ----------
    value : float
        The number as printed (not rescaled: ``"45,6 %"`` gives 45.6).
    decimals : int
        Number of printed decimals (0 for integers).
    percent : bool
        Whether a ``%`` sign was printed.
    """

    value: float
    decimals: int
    percent: bool

    @property
    def half_unit(self) -> float:
        """Half of one unit in the last printed decimal: the rounding half-width."""
        return 0.5 * 10.0 ** (-self.decimals)


def clean_cell(text: str) -> str:
    """Strip surrounding white space of every kind (trailing spaces are tolerated)."""
    return text.strip(SPACES + "\t\r\n\ufeff")


def parse_number(text: str) -> Printed:
    """Parse one number printed the Swedish way.

    Parameters
    ----------
    text : str
        The cell text; surrounding white space is ignored.

    Returns
    -------
    Printed

    Raises
    ------
    ValueError
        If the text is not a Swedish-formatted number; the message says what was expected.
    """
    s = clean_cell(text)
    m = _NUMBER.match(s)
    if m is None:
        raise ValueError(EXPECTED)
    digits = re.sub(f"[{SPACES}]", "", m["int"])
    frac = m["frac"] or ""
    sign = "-" if m["sign"] else ""
    value = Decimal(f"{sign}{digits}.{frac}" if frac else f"{sign}{digits}")
    return Printed(value=float(value), decimals=len(frac), percent=m["pct"] is not None)
