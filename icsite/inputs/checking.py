"""What every check of the inputs shares: how a problem is made (with its code's hint) and how its file is named."""

from __future__ import annotations

import os
from pathlib import Path

from icsite.core.problems import CODES, Problem

MAX_PER_CHECK = 1000  # problems of one code in one file beyond this are summarised in one more problem


def problem(code: str, file: str, row=None, field=None, message="", expected=None, found=None, hint=None,
            severity="error") -> Problem:
    """A Problem with the code's standard hint unless one is given."""
    assert code in CODES, f"undocumented problem code {code}"
    return Problem(code=code, file=file, row=None if row is None else int(row), field=field, message=message,
                   expected=None if expected is None else str(expected), found=None if found is None else str(found),
                   hint=hint or CODES[code][1], severity=severity)


def rel(path: Path, root: Path) -> str:
    """A path as people recognise it: relative to the project (the data folder's parent) when possible. A link is
    named where it is, not where it leads."""
    try:
        return (Path(os.path.realpath(path.parent)) / path.name).relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
