"""One error type for bad input, formatted as a single line a person can act on."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input: names the file, line, column, the offending text and what was expected.

    Parameters
    ----------
    path : str
        File as the user would type it (relative to the project).
    line, column : int or None
        1-based position; ``None`` where the problem concerns the file as a whole.
    text : str
        The offending text as found in the file.
    expected : str
        What would have been accepted.
    problem : str
        Short statement of what is wrong (default ``"bad value"``).
    """

    def __init__(
        self,
        path: str,
        line: int | None,
        column: int | None,
        text: str,
        expected: str,
        problem: str = "bad value",
    ) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        self.text = text
        self.expected = expected
        self.problem = problem
        super().__init__(self.format())

    def format(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.problem} {self.text!r}; expected {self.expected}"
