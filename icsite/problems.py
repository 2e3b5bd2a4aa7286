"""The vocabulary of what went wrong with the input: problems are data, collected and reported together."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    code: str
    file: str
    row: int | None = None
    field: str | None = None
    message: str = ""
    expected: str | None = None
    found: str | None = None
    hint: str | None = None
    severity: str = "error"  # "error" or "warning"

    def location(self) -> str:
        """`file, row 7, field value` — the place a person should look."""
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field {self.field}")
        return ", ".join(parts)


class BuildFailed(Exception):
    """Raised when the build must stop; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the input")
        self.problems = problems


def errors(problems: list[Problem], strict: bool = False) -> list[Problem]:
    """The problems that stop a build (warnings too when strict)."""
    return [p for p in problems if strict or p.severity == "error"]


def format_report(problems: list[Problem], max_per_kind: int = 5) -> str:
    """A human report grouped by file; repeats of one code in one file are summarised after `max_per_kind`."""
    if not problems:
        return "No problems found."
    by_file: dict[str, list[Problem]] = defaultdict(list)
    for p in sorted(problems, key=lambda p: (p.file, p.row or 0, p.code)):
        by_file[p.file].append(p)
    n_err = sum(p.severity == "error" for p in problems)
    n_warn = len(problems) - n_err
    lines = [f"Found {n_err} error(s) and {n_warn} warning(s) in {len(by_file)} file(s).", ""]
    for file, items in by_file.items():
        lines.append(f"{file} ({len(items)} problem(s))")
        shown: dict[str, int] = defaultdict(int)
        for p in items:
            shown[p.code] += 1
            if shown[p.code] > max_per_kind:
                continue
            where = ", ".join(x for x in (f"row {p.row}" if p.row is not None else "", f"field {p.field}" if p.field else "") if x)
            head = f"  {p.severity.upper()} [{p.code}]" + (f" {where}:" if where else ":")
            lines.append(f"{head} {p.message}")
            if p.expected is not None:
                lines.append(f"      expected: {p.expected}")
            if p.found is not None:
                lines.append(f"      found:    {p.found}")
            if p.hint:
                lines.append(f"      hint:     {p.hint}")
        for code, count in shown.items():
            if count > max_per_kind:
                lines.append(f"  ... and {count - max_per_kind} more [{code}] problem(s) in this file")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def report_json(problems: list[Problem]) -> str:
    """The same report, machine-readable."""
    items = [asdict(p) for p in sorted(problems, key=lambda p: (p.file, p.row or 0, p.code))]
    return json.dumps(
        {
            "valid": not any(p.severity == "error" for p in problems),
            "errors": sum(p.severity == "error" for p in problems),
            "warnings": sum(p.severity == "warning" for p in problems),
            "problems": items,
        },
        indent=2,
        sort_keys=True,
    ) + "\n"
