"""Which ICB each provider of NHS England's monthly A&E CSV counts towards, month by month (see `nhse_ae`).

The monthly file has no ICB column: a provider's ICB comes from the file's own `ICB Code` column when it has one,
else from lookup files (`--icb-lookup`, NHS England's A&E "System Mapping" saved as CSV), else from its Org Code
when that is itself an ICB's ODS code. A lookup row may carry the months it applies to (`From`, `To`); rows that
do not apply to a month are ignored for that month. A provider with attendances that cannot be placed on an ICB
that existed in its month (not in the lookup, mapped to a board of another year, an unknown code) refuses the
whole import (`refusal`): an ICB's value is never a partial sum of its providers. A provider is counted towards
England and its region only, in no ICB, when that is said: `--no-icb CODE`, or an empty ICB Code (in the file's
column or a lookup row). With no ICB column and no lookup, no ICB value is imported and the package's ICB rows
are kept (`NO_MAPPING`, `kept_icb_rows`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from icsite.core.problems import Problem, format_report
from icsite.importers.common import MAX_PROBLEMS, InputProblem, Refused, input_problem, quoted, read_csv, read_text
from icsite.importers.package import ALL_VALUE_FIELDS, read_existing
from icsite.importers.registry import ONS_CODE, Area, Registry
from icsite.importers.report import RowRef

ICB_COLUMN = ["ICB Code", "ICB", "ICB ODS code", "ICB ONS code"]
ORG_COLUMN = ["Org Code", "Provider Code", "Provider"]
FROM_COLUMN, TO_COLUMN = ["From", "Valid from"], ["To", "Valid to"]
MONTH_NAMES = {m.upper(): i for i, m in enumerate(["", "January", "February", "March", "April", "May", "June",
                                                  "July", "August", "September", "October", "November",
                                                  "December"]) if m}
MAPPING = "NHS England's A&E 'System Mapping'"
NO_MAPPING = ("no ICB values were imported: the file has no ICB Code column and no --icb-lookup was given, so "
              "the providers' ICBs are unknown; only England and the regions were written{kept}.\n"
              f"  The ICB of each provider is in {MAPPING} for the financial year ({{years}}), published with "
              "the monthly files (Statistics > A&E Attendances and Emergency Admissions). Save it as a CSV with "
              "the columns Org Code and ICB Code and give it with --icb-lookup (docs/importing.md).")


def norm(name: str) -> str:
    return re.sub(r"[^a-z0-9&+]", "", (name or "").lower())


def month_label(text: str) -> str | None:
    """`MSitAE-MARCH-2024`, `March 2024`, `Mar 2024` or `2024-03` -> `Mar 2024`; None otherwise."""
    text = text.strip()
    match = re.fullmatch(r"(?:MSitAE-)?([A-Za-z]+)[-\s]+(\d{4})", text, re.I)
    if match:
        word = match[1].upper()
        month = MONTH_NAMES.get(word) or next((i for name, i in MONTH_NAMES.items()
                                               if len(word) == 3 and name.startswith(word)), None)
        return date(int(match[2]), month, 1).strftime("%b %Y") if month else None
    match = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if match and 1 <= int(match[2]) <= 12:
        return date(int(match[1]), int(match[2]), 1).strftime("%b %Y")
    return None


def financial_year(month: date) -> str:
    """The financial year a month is in, as NHS England names the mapping's year: May 2025 -> `2025-26`."""
    first = month.year if month.month >= 4 else month.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def month_bound(text: str, last: bool) -> date | None:
    """A `From` (last=False) or `To` cell as the first day of its month; None when empty. A month (`2025-04`,
    `Apr 2025`, `April 2025`) or a date that starts (From) or ends (To) a month; ValueError otherwise."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        day = date.fromisoformat(text)
        edge = day + timedelta(days=1) if last else day  # the day after a To, a From itself: a first of a month
        if edge.day != 1:
            raise ValueError(text)
        return day.replace(day=1)
    label = month_label(text)
    if label is None:
        raise ValueError(text)
    return month_start(label)


def month_start(label: str) -> date:
    """`Mar 2024` (a `month_label`) -> 2024-03-01."""
    return datetime.strptime(label, "%b %Y").date()


@dataclass(frozen=True)
class LookupRow:
    """A row of a lookup file: a provider's ICB code, and the months it applies to (None: no limit)."""

    org: str
    icb: str
    first: date | None
    last: date | None
    ref: RowRef

    def applies(self, month: date) -> bool:
        return (self.first is None or self.first <= month) and (self.last is None or month <= self.last)

    def months(self) -> str:
        first, last = (f"{m:%b %Y}" if m else "" for m in (self.first, self.last))
        if first and last:
            return f"{first} to {last}" if first != last else first
        return f"{first} onwards" if first else (f"up to {last}" if last else "every month")

    def where(self) -> str:
        return f"{Path(self.ref.source).name} row {self.ref.line}"


@dataclass
class Lookup:
    """The rows of one or more lookup files, by provider."""

    rows: dict[str, list[LookupRow]]
    files: list[str]

    def for_month(self, org: str, month: date) -> LookupRow | None:
        return next((r for r in self.rows.get(org, []) if r.applies(month)), None)

    def named(self) -> str:
        return " and ".join(Path(f).name for f in self.files)


def _column(header: list[str], names: list[str]) -> int | None:
    return next((header.index(norm(n)) for n in names if norm(n) in header), None)


def read_lookups(paths: list[Path]) -> Lookup:
    """Provider ODS code -> its lookup rows, from CSVs with the columns `Org Code` and `ICB Code` and optionally
    `From` and `To`. Refused when a provider has two rows that apply to the same month (in one file or across
    them), or a From or To cell is not a month."""
    entries: list[LookupRow] = []
    for path in paths:
        label = str(path)
        header, rows = read_csv(read_text(path), label)
        header = [norm(h) for h in header]
        org, icb = _column(header, ORG_COLUMN), _column(header, ICB_COLUMN)
        first, last = _column(header, FROM_COLUMN), _column(header, TO_COLUMN)
        if org is None or icb is None:
            raise InputProblem(f"{path}, line 1: expected the columns 'Org Code' and 'ICB Code' (and optionally "
                               "'From' and 'To', the months a row applies to)")
        for line, cells in rows:
            code = cells[org].strip().upper()
            if not code:
                continue
            bounds = []
            for index, is_last in ((first, False), (last, True)):
                try:
                    bounds.append(month_bound(cells[index], is_last) if index is not None else None)
                except ValueError:
                    name = "To" if is_last else "From"
                    raise InputProblem(f"{path}, row {line}, column '{name}': expected a month (2025-04, Apr 2025) "
                                       f"or the {'last' if is_last else 'first'} day of one "
                                       f"({'2026-03-31' if is_last else '2025-04-01'}), found "
                                       f"'{quoted(cells[index])}'") from None
            if bounds[0] and bounds[1] and bounds[0] > bounds[1]:
                raise InputProblem(f"{path}, row {line}: 'From' ({bounds[0]:%b %Y}) is after 'To' "
                                   f"({bounds[1]:%b %Y}); a row applies from its From month to its To month")
            entries.append(LookupRow(code, cells[icb].strip(), bounds[0], bounds[1], RowRef(label, line)))
    refuse_overlaps(entries)
    by_org: dict[str, list[LookupRow]] = {}
    for entry in entries:
        by_org.setdefault(entry.org, []).append(entry)
    return Lookup(by_org, [str(p) for p in paths])


def refuse_overlaps(entries: list[LookupRow]) -> None:
    """Refused with a `row-duplicate` problem for each row that applies to a month an earlier row of the same
    provider applies to (both lines named): two mappings for a provider's month are never chosen between."""
    problems, seen = [], {}
    for entry in entries:
        for earlier in seen.get(entry.org, []):
            if (earlier.first is None or entry.last is None or earlier.first <= entry.last) and \
                    (entry.first is None or earlier.last is None or entry.first <= earlier.last):
                where = (f"line {earlier.ref.line}" if earlier.ref.source == entry.ref.source
                         else f"{earlier.ref.source}, line {earlier.ref.line}")
                months = [m for m in (earlier.first, earlier.last, entry.first, entry.last) if m]
                both = f" (both apply to {max(entry.first or date.min, earlier.first or date.min):%b %Y})" \
                    if months else ""
                if len(problems) < MAX_PROBLEMS:
                    problems.append(input_problem("row-duplicate", entry.ref.source, entry.ref.line,
                                                  message=f"line {entry.ref.line} repeats {where}: provider "
                                                          f"{quoted(entry.org)}{both}",
                                                  expected="one row per provider and month"))
                break
        seen.setdefault(entry.org, []).append(entry)
    if problems:
        raise Refused(problems, "A lookup row applies to the months from its From to its To (an empty cell: no "
                      "limit); give each year's rows their months.\n")


@dataclass
class Place:
    """Where a provider's row goes for its month: an ICB, said to be in none, or a problem that refuses the
    import (code, field, why, expected, hint)."""

    icb: Area | None = None
    how: str = ""  # an indirect match of the ICB code, for the report
    no_icb: str = ""  # why it is in no ICB, when that was said
    unmapped: bool = False  # no ICB column and no lookup: nothing says where it goes
    problem: tuple[str, str, str, str, str] | None = None
    given: str = ""  # the ICB code that could not be placed


def board_name(registry: Registry, code: str) -> tuple[Area | None, str]:
    """The registry's board for an ICB code (ONS or ODS; the newest of an ODS code's), and when it existed."""
    code = code.strip().upper()
    areas = [registry.areas[code]] if code in registry.areas else registry.by_ods.get(code, [])
    if not areas:
        return None, ""
    start = min(a.valid_from for a in areas)
    ends = [a.valid_to for a in areas]
    end = None if None in ends else max(ends)
    span = (f"it existed from {long_date(start)} to {long_date(end)}" if end else
            f"it exists from {long_date(start)}")
    return areas[-1], span


def existed(area: Area, start: date, end: date) -> bool:
    """True when the board existed (between its valid_from and valid_to) for at least part of the period: figures
    published on its boundary for earlier years (a registry's `figures_from`) do not make it a provider's board."""
    return area.valid_from <= end and (area.valid_to is None or start <= area.valid_to)


def icb_in_month(registry: Registry, given: str, start: date, end: date) -> tuple[Area | None, str, str | None]:
    """The ICB an ICB code names in the period, by `Registry.place` (an ONS code of another vintage moved to the
    board's code of the period, an ODS code to its board), held to the boards that existed then: (area, how it
    was matched, None), or (None, "", a `report.REASONS` key)."""
    placement = registry.place(given, "", start, end)
    area = registry.areas.get(placement.code) if placement.code else None
    if area is not None and area.type == "icb" and existed(area, start, end):
        return area, placement.how, None
    code = given.strip().upper()
    ods = registry.areas[code].ods.upper() if code in registry.areas else code
    boards = [a for a in registry.by_ods.get(ods, []) if a.type == "icb" and existed(a, start, end)]
    if len(boards) == 1:
        return boards[0], f"{quoted(code)} -> {boards[0].code} (ODS code)", None
    if boards:
        return None, "", "area-ambiguous"
    known = code in registry.areas or ods in registry.by_ods
    return None, "", "area-not-valid" if known else (placement.reason or "area-unknown")


def place_row(registry: Registry, lookup: Lookup | None, no_icb: set[str], *, code: str, icb_cell: str | None,
              start: date, end: date) -> Place:
    """Where a provider's row goes in the month `start`..`end` (`icb_cell`: its ICB Code cell, None when the file
    has no such column)."""
    month, code = f"{start:%b %Y}", code.strip().upper()
    years = financial_year(start)
    row = lookup.for_month(code, start) if lookup is not None and icb_cell is None else None
    given = icb_cell if icb_cell is not None else (row.icb if row is not None else "")
    source = "its ICB Code cell" if icb_cell is not None else (row.where() if row is not None else "")
    if code in no_icb:
        if given:
            return Place(problem=("provider-no-icb-conflict", "Org Code", f"given with --no-icb, but mapped to "
                                  f"{quoted(given)} by {source}", "one of the two",
                                  f"Drop --no-icb {quoted(code)}, or the provider's ICB Code."))
        return Place(no_icb="given with --no-icb")
    if icb_cell is not None and not icb_cell:
        return Place(no_icb="no ICB code for the row")
    if row is not None and not row.icb:
        return Place(no_icb=f"empty ICB Code in {row.where()}")
    if not given:
        if any(a.type == "icb" for a in registry.by_ods.get(code, [])):
            given, source = code, "its Org Code"
        elif lookup is None:
            return Place(unmapped=True)
        else:
            others = lookup.rows.get(code, [])
            why = (f"no row of the lookup applies to {month} (its rows: "
                   + "; ".join(f"{r.months()}, {r.where()}" for r in others) + ")") if others else \
                f"not in the lookup file{'s' if len(lookup.files) > 1 else ''} {lookup.named()}"
            return Place(problem=("provider-not-in-lookup", "Org Code", why,
                                  f"a lookup row for {quoted(code)} in {month}",
                                  f"Add it with its ICB Code from {MAPPING} for {years}, published with the "
                                  f"monthly files; if that puts it in no ICB, give --no-icb {quoted(code)} "
                                  "(England and its region only)."))
    field = "ICB Code" if icb_cell is not None else "Org Code"
    area, how, reason = icb_in_month(registry, given, start, end)
    if area is not None:  # an indirect match is reported for an ONS code of another vintage
        return Place(icb=area, how=how if ONS_CODE.match(given.strip().upper()) else "")
    board, span = board_name(registry, given)
    mapped = f"mapped to {quoted(given)}" + (f" ({board.name})" if board else "") + f" by {source}"
    if reason == "area-not-valid" and board is not None and board.type == "icb":
        return Place(problem=("provider-board-not-valid", field, f"{mapped}, a board that did not exist in {month} "
                              f"({span})", f"an ICB that existed in {month}",
                              f"Use the mapping of the data's own year: {MAPPING} for {years}, published with that "
                              "year's monthly files (or give lookup rows their months: From, To)."),
                     given=given.upper())
    if reason == "area-ambiguous":
        return Place(problem=("provider-board-ambiguous", field, f"{mapped}, which matches more than one board in "
                              f"{month}", "one ICB", "Give the ICB's ONS code (E54...) instead of its ODS code."))
    what = f"a {board.type}, not an ICB" if board is not None and board.type != "icb" else \
        "not an ICB in the area registry"
    return Place(problem=("provider-board-unknown", field, f"{mapped}, which is {what}",
                          "an ICB's ODS code (QHL) or ONS code (E54000055)",
                          "Check the code: the ICBs are in the area registry, areas/areas.csv of the data folder "
                          "(columns ods_code and code)."))


@dataclass
class Unplaced:
    """A provider row that could not be placed on an ICB for its month."""

    ref: RowRef
    code: str
    name: str
    month: str
    attendances: float
    problem: tuple[str, str, str, str, str]
    given: str = ""

    def text(self) -> str:
        return f"{quoted(self.code)} {quoted(self.name)} ({self.month}, {self.attendances:,.0f} attendances)"


@dataclass
class NoIcb:
    """The providers of an import counted in no ICB: said to be, or not placed but with no attendances; and how many
    rows with attendances had nothing to place them (no ICB column, no lookup)."""

    said: dict[tuple[str, str, str], list] = field(default_factory=dict)  # (code, name, why) -> [attendances, months]
    ignored: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (code, name) -> ["month: why"]
    unmapped: int = 0

    def say(self, code: str, name: str, why: str, attendances: float, month: str) -> None:
        entry = self.said.setdefault((quoted(code), quoted(name), why), [0.0, []])
        entry[0] += attendances
        entry[1].append(month)

    def ignore(self, code: str, name: str, why: str, month: str) -> None:
        self.ignored.setdefault((quoted(code), quoted(name)), []).append(f"{month}: {why}")

    def ignored_text(self) -> list[str]:
        return [f"{code} {name} ({'; '.join(why)})" for (code, name), why in sorted(self.ignored.items())]

    def lines(self) -> list[str]:
        said = [f"  {code} {name} ({why}): {n:,.0f} attendances in {', '.join(months)}"
                for (code, name, why), (n, months) in sorted(self.said.items())]
        return (["Counted towards England and its region only, in no ICB:"] + said if said else []) + \
            (["Not placed on an ICB, with no attendances (no value depends on them):"]
             + [f"  {text}" for text in self.ignored_text()] if self.ignored else [])


def refusal(title: str, package: str, unplaced: list[Unplaced], ignored: list[str]) -> str:
    """The report of an import refused because providers with attendances could not be placed on an ICB."""
    problems = [Problem(code, u.ref.source, u.ref.line, field, f"{u.text()}: {why}", expected, None, hint)
                for u in unplaced for code, field, why, expected, hint in [u.problem]]
    months = sorted({u.month for u in unplaced}, key=month_start)
    count = len({u.code for u in unplaced})
    lines = [f"Import of {title} into package '{package}': refused.",
             f"{count} provider(s) with attendances cannot be placed on an ICB that existed in their month "
             f"({', '.join(months)}). An ICB's value is the sum over all of its providers, so no ICB value is "
             "published from part of them; and a month is imported whole or not at all, so England and the "
             "regions are not written either.",
             format_report(problems, max_per_kind=len(problems)).rstrip("\n")]
    boards = sorted({u.given for u in unplaced if u.problem[0] == "provider-board-not-valid"})
    if boards:
        years = ", ".join(sorted({financial_year(month_start(m)) for m in months}))
        lines.append(f"The mapping names {len(boards)} board(s) that did not exist in {', '.join(months)} "
                     f"({', '.join(boards)}): it looks like another year's. Use {MAPPING} for {years}.")
    if ignored:
        lines.append("Not placed either, but with no attendances (no value depends on them):")
        lines += [f"  {text}" for text in ignored]
    return "\n".join(lines) + "\nNothing was written.\n"


def kept_icb_rows(data_dir: Path, package: str, indicator_id: str, periods: set[str],
                  registry: Registry) -> list[dict]:
    """The package's existing ICB rows of the indicator for `periods` (real values only, not illustrative ones),
    to be written again unchanged by an import that has no ICB values."""
    old = read_existing(data_dir / package)
    if old is None or any(r.get("id") == indicator_id and (r.get("illustrative") or "").strip().lower() == "true"
                          for r in old.indicators):
        return []
    return [{f: r.get(f, "") for f in ALL_VALUE_FIELDS} for r in old.values
            if r.get("indicator_id") == indicator_id and r.get("period") in periods
            and getattr(registry.areas.get((r.get("area_code") or "").strip()), "type", "") == "icb"]
