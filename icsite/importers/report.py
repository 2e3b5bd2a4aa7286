"""The import report: what an import did with every row of its source, and what it wrote."""

from __future__ import annotations

from dataclasses import dataclass, field

REASONS = {  # why a source row was not imported, in report order
    "row-malformed": "row with no whole-number indicator id",
    "area-other-type": "area of another type (not England, an NHS region or an ICB)",
    "area-unknown": "area not in the area registry (neither its ONS code nor its ODS code)",
    "area-ambiguous": "area whose ODS code matches more than one board in the period",
    "area-not-valid": "area that did not exist during the period (see areas.csv valid_from and valid_to)",
    "period-unparseable": "period label in no known format",
    "value-invalid": "value or interval that is not a number, or is negative",
    "duplicate": "second row for the same indicator, area and period (the first was kept)",
}
EXAMPLES = 5  # row numbers shown per reason


@dataclass(frozen=True, order=True)
class RowRef:
    """A row of a source file: its line number (the header is line 1) and, when there are several sources, which."""

    source: str
    line: int


@dataclass
class Report:
    """What an import did with every row of its source, and what it wrote."""

    title: str  # e.g. "OHID Fingertips export data.csv"
    package: str
    rows_read: int = 0
    imported: list[RowRef] = field(default_factory=list)
    suppressed: list[RowRef] = field(default_factory=list)
    kept_apart: dict[str, list[RowRef]] = field(default_factory=dict)  # label -> rows
    skipped: dict[str, list[RowRef]] = field(default_factory=dict)  # REASONS key -> rows
    partial: dict[str, list[RowRef]] = field(default_factory=dict)  # label -> rows imported in part
    matched: list[str] = field(default_factory=list)  # indirect area matches
    values_written: int = 0
    details: list[str] = field(default_factory=list)  # what the importer inferred or noticed
    warnings: list[str] = field(default_factory=list)  # what the publisher must know: imported, but not all
    outcome: list[str] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)

    def skip(self, reason: str, ref: RowRef) -> None:
        assert reason in REASONS, reason
        self.skipped.setdefault(reason, []).append(ref)

    def keep_apart(self, label: str, ref: RowRef) -> None:
        self.kept_apart.setdefault(label, []).append(ref)

    def accounted(self) -> int:
        return (len(self.imported) + sum(map(len, self.kept_apart.values()))
                + sum(map(len, self.skipped.values())))

    def rows(self, refs: list[RowRef]) -> str:
        """`row 7` / `rows 2, 3, 4, 5, 6 and 3 more` (prefixed with the source when there are several)."""
        refs = sorted(refs)
        shown = [f"{r.source}:{r.line}" if len(self.sources) > 1 else str(r.line) for r in refs[:EXAMPLES]]
        more = f" and {len(refs) - EXAMPLES} more" if len(refs) > EXAMPLES else ""
        return ("row " if len(refs) == 1 else "rows ") + ", ".join(shown) + more

    def render(self) -> str:
        lines = [f"Import of {self.title} into package '{self.package}'",
                 f"Rows read: {self.rows_read}"]
        suppressed = f"; {len(self.suppressed)} suppressed ({self.rows(self.suppressed)})" if self.suppressed else ""
        lines.append(f"  imported: {len(self.imported)}, as {self.values_written} values{suppressed}")
        for label, refs in self.kept_apart.items():
            lines.append(f"  kept apart, {label}: {len(refs)} ({self.rows(refs)})")
        skipped = sum(map(len, self.skipped.values()))
        lines.append(f"  not imported: {skipped}")
        for reason in REASONS:
            refs = self.skipped.get(reason)
            if refs:
                lines.append(f"    {REASONS[reason]}: {len(refs)} ({self.rows(refs)})")
        unaccounted = self.rows_read - self.accounted()
        if unaccounted:  # never expected: every row is imported, kept apart or reported
            lines.append(f"  UNACCOUNTED FOR: {unaccounted}")
        for label, refs in self.partial.items():
            lines.append(f"  imported in part, {label}: {len(refs)} ({self.rows(refs)})")
        if self.matched:
            lines.append(f"Areas matched through a code change or an ODS code: {len(self.matched)}")
            lines += [f"  {m}" for m in self.matched[:EXAMPLES]]
            if len(self.matched) > EXAMPLES:
                lines.append(f"  ... and {len(self.matched) - EXAMPLES} more")
        lines += self.details
        lines += [f"Warning: {w}" for w in self.warnings]
        lines += self.outcome
        return "\n".join(lines) + "\n"


def listed(items: list[str], separator: str = ", ") -> str:
    """The first few items and how many more (a report line stays short)."""
    more = f" and {len(items) - EXAMPLES} more" if len(items) > EXAMPLES else ""
    return separator.join(items[:EXAMPLES]) + more
