"""Import NHS England's monthly "A&E Attendances and Emergency Admissions" CSVs as indicators.

One file or several (a month each, or several months; `import_files`) are read together and written as one new
version of the package. What is published is chosen with `measures` (`--measure`; `nhse_ae_measures.MEASURES`):
by default the 4-hour indicator (`ae_4hr` unless `--id`): attendances admitted, transferred or discharged within 4
hours, as a percentage of all attendances, all A&E types: numerator = attendances - attendances over 4 hours,
denominator = attendances, each summed over type 1, type 2 and other departments (and over booked appointments
when the file has those columns, unless `exclude_booked`). Also `12hr-dta` (waits over 12 hours from the decision
to admit, per 1,000 emergency admissions via A&E) and `attendances` (a count). Counts are summed from the file's
rows to each ICB, each NHS England region and England, month by month, and only then divided; no interval is
written (the site computes the Wilson interval from the counts).

## The file expected

NHS England's monthly CSV ("Monthly A&E <Month> <Year> (CSV)") has one row per provider (trust or independent
provider) and month, plus a TOTAL row. This layout comes from public analysis code that reads the files (secondary
sources); columns are matched by name, ignoring case and spaces, in any order:

- `Period` (required): the month, `MSitAE-MARCH-2024` (also `March 2024`, `Mar 2024`, `2024-03`).
- `Org Code` (required): the provider's ODS code (`RJ1`); `TOTAL` on the summary row.
- `Parent Org` (required): its NHS England region (`NHS ENGLAND LONDON`).
- `Org name` (required): the provider's name.
- `A&E attendances Type 1`, `A&E attendances Type 2`, `A&E attendances Other A&E Department` (required):
  attendances (older files: `Number of A&E attendances Type 1`...).
- `Attendances over 4hrs Type 1`, `Attendances over 4hrs Type 2`, `Attendances over 4hrs Other Department`
  (required): of which over 4 hours from arrival to admission, transfer or discharge (older files:
  `Number of attendances over 4hrs Type 1`... `Other A&E Department`).
- `A&E attendances Booked Appointments Type 1` / `Type 2` / `Other Department` and
  `Attendances over 4hrs Booked Appointments Type 1` / `Type 2` / `Other Department` (optional): booked
  appointments, added to both counts when all six are present.
- `ICB Code` (optional; also `ICB`, `ICB ODS code`, `ICB ONS code`): the ICB a row belongs to, by its ODS code
  (`QHL`) or ONS code (`E54000055`; an older code is matched as for Fingertips).

The published file has **no ICB column**: NHS England's ICB figures are derived by mapping providers to ICBs, with
its A&E "System Mapping" for the financial year (published with the monthly files). A row gets its ICB from the
file's `ICB Code` column if it has one (add it yourself, or use a commissioner-level file), else from lookup files
given with `icb_lookup` (`--icb-lookup FILE`, repeatable: CSVs with the columns `Org Code` and `ICB Code`, and
optionally `From` and `To`), else when `Org Code` is itself an ICB's ODS code (`nhse_ae_mapping.place_row`).

The mapping is chosen by month. A lookup row with `From` and `To` applies to the months from its From month to its
To month (a month, `2025-04` or `Apr 2025`, or a date that starts a month for From, ends one for To, `2026-03-31`;
an empty cell or no column: no limit); rows that do not apply to a month are ignored for that month. One file can
hold every year's rows, or each year's file can be given with its own `--icb-lookup`; a provider with two rows for
the same month is refused. The ICB a row names must have existed in the month (areas.csv `valid_from`,
`valid_to`).

**Refused rather than guessed.** An ICB's value is the sum over all of its providers: when a provider with
attendances cannot be placed on an ICB for its month (not in the lookup for that month, mapped to a board that did
not exist in that month, such as a board of April 2026 for a 2025 month, an unknown or ambiguous code), no value is
published from a partial sum. The whole import is refused (`nhse_ae_mapping.refusal`, exit 1, nothing written, not
even England and the regions, which do not depend on the mapping: a month is imported whole or not at all), with
each such provider by Org Code, Org name, month and reason. Providers with no attendances are not refused: no sum
depends on them (the report names them). A provider is counted towards England and its region only, in no ICB,
when that is said: `no_icb` (`--no-icb CODE`, for a provider the year's mapping leaves out), an empty cell of the
file's ICB Code column, or an empty ICB Code in its lookup row; the report names each.

With no ICB column and no lookup (and Org Codes that are not ICBs), no ICB value is imported: the report warns and
says where the mapping comes from, only England and region rows are written, and the package's existing ICB rows for
those months are kept. Each row goes to the region named in `Parent Org` (or, failing that, its ICB's region); a
provider with activity that neither places in a region refuses the import as well (a region's value is never a
partial sum). Columns no chosen measure needs are ignored. A missing required column is an error naming it.

The file (and each lookup file) is read with `common.read_text` and `common.read_csv`: it is refused, with nothing
written, when it is not a regular file, is over a limit, has an unbalanced quote or a row with more or fewer cells
than the header, or gives a provider twice for the same month (the lookups: a provider twice for a month); see
docs/importing.md, "What is refused".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from icsite.core.standard import ENGLAND
from icsite.importers.cells import fmt_number, parse_number, period_dates
from icsite.importers.common import INDICATOR_ID, InputProblem, quoted, read_csv, read_text, refuse_duplicates
from icsite.importers.nhse_ae_measures import EXTRA, MEASURES, Counts, package_text
from icsite.importers.package import write_package
from icsite.importers.nhse_ae_mapping import (ICB_COLUMN, NO_MAPPING, Lookup, NoIcb, Unplaced, financial_year,
                                              kept_icb_rows, month_label, month_start, norm, place_row, read_lookups,
                                              refusal)
from icsite.importers.registry import Registry
from icsite.importers.report import Report, RowRef

REQUIRED = {  # role -> accepted column names (the first is the current one)
    "period": ["Period"],
    "org_code": ["Org Code"],
    "parent_org": ["Parent Org"],
    "org_name": ["Org name"],
    "att_type1": ["A&E attendances Type 1", "Number of A&E attendances Type 1"],
    "att_type2": ["A&E attendances Type 2", "Number of A&E attendances Type 2"],
    "att_other": ["A&E attendances Other A&E Department", "Number of A&E attendances Other A&E Department"],
    "over_type1": ["Attendances over 4hrs Type 1", "Number of attendances over 4hrs Type 1"],
    "over_type2": ["Attendances over 4hrs Type 2", "Number of attendances over 4hrs Type 2"],
    "over_other": ["Attendances over 4hrs Other Department", "Number of attendances over 4hrs Other A&E Department"],
}
BOOKED = {
    "att_booked_type1": ["A&E attendances Booked Appointments Type 1"],
    "att_booked_type2": ["A&E attendances Booked Appointments Type 2"],
    "att_booked_other": ["A&E attendances Booked Appointments Other Department"],
    "over_booked_type1": ["Attendances over 4hrs Booked Appointments Type 1"],
    "over_booked_type2": ["Attendances over 4hrs Booked Appointments Type 2"],
    "over_booked_other": ["Attendances over 4hrs Booked Appointments Other Department"],
}
def find_columns(header: list[str], label: str, exclude_booked: bool,
                 measures: Sequence[str] = ("4hr",)) -> tuple[dict[str, int], bool]:
    """Column index by role; InputProblem naming the first required column that is missing (the measures' own
    columns, `nhse_ae_measures.EXTRA`, are required only for those measures)."""
    positions = {norm(h): i for i, h in reversed(list(enumerate(header)))}
    found: dict[str, int] = {}
    wanted = {**REQUIRED, **{role: names for m in measures for role, names in EXTRA.get(m, {}).items()}}
    for role, names in wanted.items():
        index = next((positions[norm(n)] for n in names if norm(n) in positions), None)
        if index is None:
            alias = f" (or '{names[1]}')" if len(names) > 1 else ""
            why = next((f" (needed for --measure {m})" for m in measures if role in EXTRA.get(m, {})), "")
            raise InputProblem(f"{label}, line 1: the column '{names[0]}'{alias} is missing{why}. The NHS England "
                               "monthly A&E CSV has the columns " + ", ".join(n[0] for n in wanted.values())
                               + " (see docs/importing.md)")
        found[role] = index
    booked = all(norm(n[0]) in positions for n in BOOKED.values()) and not exclude_booked
    if booked:
        found.update({role: positions[norm(names[0])] for role, names in BOOKED.items()})
    icb = next((positions[norm(n)] for n in ICB_COLUMN if norm(n) in positions), None)
    if icb is not None:
        found["icb"] = icb
    return found, booked


NOUNS = {"attendances": "attendances", "over": "attendances", "dta_12hr": "patients", "admissions": "admissions"}


@dataclass
class ProviderRow:
    """One provider row of a monthly file, read: where it is, what it is about and its counts."""

    ref: RowRef
    key: tuple[str, str]  # (Org Code, month): a provider twice for a month is refused, never summed
    code: str
    name: str
    period: str
    parent: str
    icb_cell: str | None  # None when the file has no ICB column
    counts: Counts

    @property
    def total(self) -> bool:
        """The file's summary row, used only to check England's sums."""
        return self.code.upper() == "TOTAL" or self.name.upper().startswith("TOTAL") or "TOTAL" in self.period.upper()


def read_provider_rows(text: str, label: str, measures: Sequence[str], exclude_booked: bool,
                       report: Report) -> list[ProviderRow]:
    """A monthly file's rows with their counts, checked (whole numbers, no more over 4 hours than attendances, no
    more 12-hour waits than admissions); InputProblem naming the row and column otherwise."""
    header, rows = read_csv(text, label)
    if not header:
        raise InputProblem(f"{label}: the file is empty; expected the NHS England monthly A&E CSV")
    columns, booked = find_columns(header, label, exclude_booked, measures)
    groups = {"attendances": ["att_type1", "att_type2", "att_other"],
              "over": ["over_type1", "over_type2", "over_other"],
              "dta_12hr": ["dta_12hr"] if "dta_12hr" in columns else [],
              "admissions": [r for r in ("adm_type1", "adm_type2", "adm_other") if r in columns]}
    if booked:
        groups["attendances"] += ["att_booked_type1", "att_booked_type2", "att_booked_other"]
        groups["over"] += ["over_booked_type1", "over_booked_type2", "over_booked_other"]
    report.details.append(f"{label}: {len(header)} columns; attendances of types 1, 2 and other"
                          + (", booked appointments included" if booked else
                             (", booked appointments left out" if exclude_booked else
                              " (no booked-appointment columns)")))
    read = []
    for line, cells in rows:
        if not any(c.strip() for c in cells):  # a row of empty cells is blank
            continue
        ref = RowRef(label, line)
        totals = {}
        for group, roles in groups.items():
            totals[group] = 0.0
            for role in roles:
                text_cell = cells[columns[role]].strip()
                try:
                    number = parse_number(text_cell) or 0.0
                    if number < 0 or not number.is_integer():
                        raise ValueError
                except ValueError:
                    names = REQUIRED.get(role) or BOOKED.get(role) or next(e[role] for e in EXTRA.values() if role in e)
                    column = quoted(header[columns[role]].strip())
                    raise InputProblem(f"{label}, row {ref.line}, column '{column}': expected a whole number of "
                                       f"{NOUNS[group]} (0 or more), found '{quoted(text_cell)}'"
                                       + ("" if names[0] == column else f" ({names[0]})")) from None
                totals[group] += number
        counts = Counts(**totals)
        if counts.over > counts.attendances:
            raise InputProblem(f"{label}, row {ref.line}: {fmt_number(counts.over)} attendances over 4 hours but only "
                               f"{fmt_number(counts.attendances)} attendances; check the row")
        if counts.dta_12hr > counts.admissions:
            raise InputProblem(f"{label}, row {ref.line}: {fmt_number(counts.dta_12hr)} patients waited over 12 hours "
                               f"from the decision to admit but only {fmt_number(counts.admissions)} were admitted "
                               "via A&E; check the row")
        period = cells[columns["period"]].strip()
        code = cells[columns["org_code"]].strip()
        read.append(ProviderRow(ref, (code.upper(), month_label(period) or period.upper()), code,
                                cells[columns["org_name"]].strip(), period, cells[columns["parent_org"]].strip(),
                                cells[columns["icb"]].strip() if "icb" in columns else None, counts))
    months = {month_label(r.period) for r in read if not r.total} - {None}
    for r in read:  # a TOTAL row without its month (Period "TOTAL") is its file's month, in a one-month file
        if r.total and month_label(r.period) is None:
            r.period = next(iter(months)) if len(months) == 1 else r.period
            r.key = ("TOTAL", month_label(r.period) or f"{r.period.upper()} of {label}")
    return read


def import_file(path: Path, data_dir: Path, package: str, **options) -> Report:
    """Import one monthly A&E CSV into package `package` of `data_dir` (`import_files`)."""
    return import_files([path], data_dir, package, **options)


def import_files(paths: Sequence[Path], data_dir: Path, package: str, *,
                 icb_lookup: Path | Sequence[Path] | None = None, **options) -> Report:
    """Import monthly A&E CSVs (one or several months) into package `package` of `data_dir`; see the module
    docstring. `icb_lookup`: one lookup file or several (their rows taken together)."""
    lookups = [icb_lookup] if isinstance(icb_lookup, Path) else list(icb_lookup or [])
    return import_texts([(p.name, read_text(p)) for p in paths], data_dir, package,
                        lookup=read_lookups(lookups) if lookups else None, **options)


def import_texts(files: Sequence[tuple[str, str]], data_dir: Path, package: str, *,
                 measures: Sequence[str] = ("4hr",), indicator_id: str | None = None, lookup: Lookup | None = None,
                 no_icb: Iterable[str] = (), exclude_booked: bool = False, today: date | None = None) -> Report:
    """Import the monthly files `files` ((label, text) pairs): `measures` (keys of `nhse_ae_measures.MEASURES`),
    each as its indicator; `indicator_id` names the indicator when there is one measure (default: its own id);
    `no_icb`: Org Codes counted in no ICB."""
    measures = list(dict.fromkeys(measures))
    unknown = [m for m in measures if m not in MEASURES]
    if unknown or not measures:
        raise InputProblem(f"--measure {', '.join(unknown)}: expected one of {', '.join(MEASURES)}", status=2)
    if indicator_id is not None and len(measures) > 1:
        raise InputProblem("--id names one indicator: give it with a single --measure (each measure has its "
                           "own id: " + ", ".join(f"{m} {MEASURES[m].default_id}" for m in measures) + ")", status=2)
    ids = {m: indicator_id or MEASURES[m].default_id for m in measures}
    bad = next((i for i in ids.values() if not INDICATOR_ID.match(i)), None)
    if bad is not None:
        raise InputProblem(f"--id {bad}: an id is lower-case letters, digits and _", status=2)
    today = today or date.today()
    no_icb = {c.strip().upper() for c in no_icb if c.strip()}
    registry = Registry.load(data_dir)
    labels = [label for label, _ in files]
    report = Report(f"NHS England monthly A&E CSV{'s' if len(labels) > 1 else ''} {', '.join(labels)}", package)
    rows: list[ProviderRow] = []
    for label, text in files:
        report.sources.add(label)
        rows += read_provider_rows(text, label, measures, exclude_booked, report)
    refuse_duplicates(((row.key, row.ref) for row in rows),
                      lambda key: f"provider {quoted(key[0])} in {quoted(key[1])}")
    with_icb_column = [row for row in rows if row.icb_cell is not None]
    files_text = "file" + (f"s {lookup.named()}" if lookup and len(lookup.files) > 1 else "")
    icbs = ("ICBs from the ICB column" if rows and len(with_icb_column) == len(rows) else
            (f"ICBs from the lookup {files_text}" if lookup is not None else
             "no ICB column: ICBs only for rows whose Org Code is an ICB"))
    if len(files) == 1:  # one line for one file
        report.details[-1] += f"; {icbs}"
    else:
        report.details.append(icbs[0].upper() + icbs[1:])

    sums: dict[tuple[str, str], Counts] = defaultdict(Counts)
    periods: dict[str, tuple[date, date]] = {}
    totals: dict[str, Counts] = defaultdict(Counts)
    unplaced: list[Unplaced] = []
    nobody = NoIcb()
    seen: set[str] = set()
    england = registry.areas.get(ENGLAND)
    for row in rows:
        ref, code, name, counts = row.ref, row.code, row.name, row.counts
        report.rows_read += 1
        label_month = month_label(row.period)
        if row.total:
            report.keep_apart("summary (TOTAL) rows, used only to check the England sums", ref)
            totals[label_month or row.period].add(counts)
            continue
        dates = period_dates(label_month) if label_month else None
        if dates is None:
            report.skip("period-unparseable", ref)
            continue
        periods[label_month] = dates
        start, end = dates
        if england is None or not england.exists_during(start, end):
            report.skip("area-not-valid", ref)
            continue
        report.imported.append(ref)
        seen.add(code.upper())
        places = [ENGLAND]
        place = place_row(registry, lookup, no_icb, code=code, icb_cell=row.icb_cell, start=start, end=end)
        icb = place.icb
        if icb is not None:
            places.append(icb.code)
            if place.how:  # an ONS code of another vintage
                report.matched.append(f"{report.rows([ref])}: {place.how}")
        else:
            why = place.no_icb or ("no ICB code for the row" if place.unmapped else "not placed, no attendances")
            report.partial.setdefault(f"in England and its region but no ICB ({why})", []).append(ref)
            if place.no_icb and counts.activity > 0:
                nobody.say(code.upper(), name, place.no_icb, counts.attendances, label_month)
            elif place.unmapped and counts.activity > 0:
                nobody.unmapped += 1
            elif place.problem and counts.activity > 0:
                unplaced.append(Unplaced(ref, code.upper(), name, label_month, counts.attendances, place.problem,
                                         place.given))
            elif place.problem:
                nobody.ignore(code.upper(), name, place.problem[2], label_month)
        region = registry.region(row.parent)
        if region is None and icb is not None:
            region = registry.areas.get(icb.parent)
        if region is not None and region.exists_during(start, end):
            places.append(region.code)
        elif counts.activity > 0:  # a region's value would be a partial sum
            unplaced.append(Unplaced(ref, code.upper(), name, label_month, counts.attendances, region_problem(row)))
        for area in places:
            sums[(area, label_month)].add(counts)

    if unplaced:
        raise InputProblem(refusal(report.title, package, unplaced, nobody.ignored_text()))
    report.details += nobody.lines()
    report.details += [f"--no-icb {code}: no row of the file has this Org Code" for code in sorted(no_icb - seen)]
    kept: list[dict] = []
    if nobody.unmapped:  # nothing says where the providers go: no ICB value at all, the package's ICB rows kept
        for key in [k for k in sums if registry.areas[k[0]].type == "icb"]:
            del sums[key]
        months = sorted(periods, key=month_start)
        kept = [r for m in measures for r in kept_icb_rows(data_dir, package, ids[m], set(periods), registry)]
        kept_text = (f", and the package's {len(kept)} ICB value row(s) for {', '.join(months)} are kept as they "
                     "were" if kept else "")
        years = ", ".join(sorted({financial_year(month_start(m)) for m in months}))
        report.warnings.append(NO_MAPPING.format(kept=kept_text, years=years))

    values = []
    for (area, period), s in sorted(sums.items()):
        start, end = periods[period]
        for m in measures:
            value = MEASURES[m].value_row(ids[m], area, period, start, end, s)
            if value is None:
                report.details.append(f"No value of {ids[m]} for {area} in {period}: nothing to divide by")
            else:
                values.append(value)
    check_totals(report, totals, sums, periods)
    if not values:
        raise InputProblem(report.render() + "Nothing to import: no row could be placed on a month.")
    report.values_written = len(values)
    order = {ids[m]: i for i, m in enumerate(measures)}
    values = sorted(values + kept, key=lambda v: (order[v["indicator_id"]], v["area_code"], v["period_start"]))
    title, description, sources = package_text(measures)
    write_package(data_dir, package, [{"id": ids[m], **MEASURES[m].indicator} for m in measures], values,
                  title=title, description=description, sources=sources, today=today, report=report)
    return report


def region_problem(row: ProviderRow) -> tuple[str, str, str, str, str]:
    """Why a provider row with activity could not be placed in a region: its Parent Org is not one, and no ICB
    says which."""
    return ("provider-region-unknown", "Parent Org",
            f"its Parent Org '{quoted(row.parent)}' is not an NHS England region of the area registry, and no ICB of "
            "the row says which region it is in", "an NHS England region's name (NHS ENGLAND LONDON), ONS code "
            "(E40000003) or ODS code (Y56)",
            "Check the Parent Org cell; the regions are the rows of type region in areas/areas.csv of the data "
            "folder. A region's value is never summed from part of its providers.")


def check_totals(report: Report, totals: dict[str, Counts], sums: dict[tuple[str, str], Counts],
                 periods: dict[str, tuple[date, date]]) -> None:
    """Each file's TOTAL row against the sum of its providers for England (a difference is reported)."""
    names = {"attendances": "attendances", "over": "over 4 hours", "dta_12hr": "waits over 12 hours from decision "
             "to admit", "admissions": "emergency admissions via A&E"}
    for period, total in sorted(totals.items(), key=lambda item: (month_start(item[0]) if month_label(item[0])
                                                                   else date.max, item[0])):
        mine = sums.get((ENGLAND, period))
        period = quoted(period)
        differ = [f"{text} {fmt_number(getattr(total, key))} against {fmt_number(getattr(mine, key))}"
                  for key, text in names.items() if mine is not None and getattr(total, key) != getattr(mine, key)]
        if mine is None:
            report.details.append(f"TOTAL row for {period}: no provider rows for that month")
        elif differ:
            report.details.append(f"TOTAL row for {period} differs from the sum of the providers: " + ", ".join(differ))
        else:
            report.details.append(f"TOTAL row for {period} agrees with the sum of the providers")
