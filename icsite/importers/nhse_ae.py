"""Import NHS England's monthly "A&E Attendances and Emergency Admissions" CSV as the 4-hour indicator.

The indicator (`ae_4hr` unless `--id`): attendances admitted, transferred or discharged within 4 hours, as a
percentage of all attendances, all A&E types: numerator = attendances - attendances over 4 hours, denominator =
attendances, each summed over type 1, type 2 and other departments (and over booked appointments when the file
has those columns, unless `exclude_booked`). Values are summed from the file's rows to each ICB, each NHS England
region and England, month by month; no interval is written (the site computes the Wilson interval from the
counts).

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
those months are kept. Each row goes to the region named in `Parent Org` (or, failing that, its ICB's region).
Other columns (12-hour waits, admissions) are ignored. A missing required column is an error naming it.

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

from icsite.core.standard import ENGLAND, OGL_TITLE
from icsite.importers.cells import fmt_number, parse_number, period_dates
from icsite.importers.common import INDICATOR_ID, InputProblem, quoted, read_csv, read_text, refuse_duplicates
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
SOURCE = "NHS England A&E Attendances and Emergency Admissions (monthly)"
INDICATOR = {
    "title": "A&E: % of attendances admitted, transferred or discharged within 4 hours (all types)",
    "short_title": "A&E within 4 hours", "domain": "urgent_care", "unit": "%", "polarity": "high_is_good",
    "value_type": "proportion", "multiplier": "100", "decimals": "1",
    "definition": "Percentage of A&E attendances (all types: major emergency departments, single-specialty "
                  "departments and other departments such as urgent treatment centres) where the patient was "
                  "admitted, transferred or discharged within four hours of arrival, summed from the providers' "
                  "monthly returns.",
    "source": SOURCE, "frequency": "monthly", "target": "", "target_label": "", "illustrative": "false",
    "fingertips_id": "", "keywords": "A&E; accident and emergency; emergency department; casualty; four hours; "
                                      "waiting times",
}


def find_columns(header: list[str], label: str, exclude_booked: bool) -> tuple[dict[str, int], bool]:
    """Column index by role; InputProblem naming the first required column that is missing."""
    positions = {norm(h): i for i, h in reversed(list(enumerate(header)))}
    found: dict[str, int] = {}
    for role, names in REQUIRED.items():
        index = next((positions[norm(n)] for n in names if norm(n) in positions), None)
        if index is None:
            alias = f" (or '{names[1]}')" if len(names) > 1 else ""
            raise InputProblem(f"{label}, line 1: the column '{names[0]}'{alias} is missing. The NHS England monthly "
                               "A&E CSV has the columns " + ", ".join(n[0] for n in REQUIRED.values())
                               + " (see docs/importing.md)")
        found[role] = index
    booked = all(norm(n[0]) in positions for n in BOOKED.values()) and not exclude_booked
    if booked:
        found.update({role: positions[norm(names[0])] for role, names in BOOKED.items()})
    icb = next((positions[norm(n)] for n in ICB_COLUMN if norm(n) in positions), None)
    if icb is not None:
        found["icb"] = icb
    return found, booked


def provider_key(cells: list[str], columns: dict[str, int]) -> tuple[str, str]:
    """What a row is about: its Org Code and its month (the TOTAL row's key is (TOTAL, its Period)). Two rows with
    the same key are refused (`common.refuse_duplicates`), never summed."""
    period = cells[columns["period"]].strip()
    return cells[columns["org_code"]].strip().upper(), month_label(period) or period.upper()


@dataclass
class Sums:
    attendances: float = 0
    over: float = 0
    rows: int = 0


def import_file(path: Path, data_dir: Path, package: str, *, indicator_id: str = "ae_4hr",
                icb_lookup: Path | Sequence[Path] | None = None, no_icb: Iterable[str] = (),
                exclude_booked: bool = False, today: date | None = None) -> Report:
    """Import one monthly A&E CSV into package `package` of `data_dir`; see the module docstring. `icb_lookup`:
    one lookup file or several (their rows taken together); `no_icb`: Org Codes counted in no ICB."""
    paths = [icb_lookup] if isinstance(icb_lookup, Path) else list(icb_lookup or [])
    return import_text(read_text(path), path.name, data_dir, package, indicator_id=indicator_id,
                       lookup=read_lookups(paths) if paths else None, no_icb=no_icb, exclude_booked=exclude_booked,
                       today=today)


def import_text(text: str, label: str, data_dir: Path, package: str, *, indicator_id: str = "ae_4hr",
                lookup: Lookup | None = None, no_icb: Iterable[str] = (), exclude_booked: bool = False,
                today: date | None = None) -> Report:
    if not INDICATOR_ID.match(indicator_id):
        raise InputProblem(f"--id {indicator_id}: an id is lower-case letters, digits and _", status=2)
    today = today or date.today()
    no_icb = {c.strip().upper() for c in no_icb if c.strip()}
    registry = Registry.load(data_dir)
    report = Report(f"NHS England monthly A&E CSV {label}", package)
    report.sources.add(label)
    header, rows = read_csv(text, label)
    if not header:
        raise InputProblem(f"{label}: the file is empty; expected the NHS England monthly A&E CSV")
    columns, booked = find_columns(header, label, exclude_booked)
    rows = [(line, cells) for line, cells in rows if any(c.strip() for c in cells)]  # a row of empty cells is blank
    refuse_duplicates(((provider_key(cells, columns), RowRef(label, line)) for line, cells in rows),
                      lambda key: f"provider {quoted(key[0])} in {quoted(key[1])}")
    counted = ["att_type1", "att_type2", "att_other"] + (["att_booked_type1", "att_booked_type2",
                                                           "att_booked_other"] if booked else [])
    overs = ["over_type1", "over_type2", "over_other"] + (["over_booked_type1", "over_booked_type2",
                                                           "over_booked_other"] if booked else [])
    files = "; ICBs from the lookup file" + (f"s {lookup.named()}" if lookup and len(lookup.files) > 1 else "")
    report.details.append(f"{label}: {len(header)} columns; attendances of types 1, 2 and other"
                          + (", booked appointments included" if booked else
                             (", booked appointments left out" if exclude_booked else
                              " (no booked-appointment columns)"))
                          + ("; ICBs from the ICB column" if "icb" in columns else
                             (files if lookup is not None else
                              "; no ICB column: ICBs only for rows whose Org Code is an ICB")))

    sums: dict[tuple[str, str], Sums] = defaultdict(Sums)
    periods: dict[str, tuple[date, date]] = {}
    totals: dict[str, Sums] = defaultdict(Sums)
    unplaced: list[Unplaced] = []
    nobody = NoIcb()
    seen: set[str] = set()
    for line, cells in rows:
        ref = RowRef(label, line)
        report.rows_read += 1

        def cell(role, cells=cells):
            return cells[columns[role]].strip()

        numbers = {}
        for role in counted + overs:
            try:
                number = parse_number(cell(role)) or 0.0
                if number < 0 or not number.is_integer():
                    raise ValueError
            except ValueError:
                name, column = (REQUIRED.get(role) or BOOKED[role])[0], quoted(header[columns[role]].strip())
                raise InputProblem(f"{label}, row {ref.line}, column '{column}': expected a whole number of "
                                   f"attendances (0 or more), found '{quoted(cell(role))}'"
                                   + ("" if name == column else f" ({name})")) from None
            numbers[role] = number
        attendances, over = sum(numbers[r] for r in counted), sum(numbers[r] for r in overs)
        if over > attendances:
            raise InputProblem(f"{label}, row {ref.line}: {fmt_number(over)} attendances over 4 hours but only "
                               f"{fmt_number(attendances)} attendances; check the row")
        code, name, period_text = cell("org_code"), cell("org_name"), cell("period")
        label_month = month_label(period_text)
        if code.upper() == "TOTAL" or name.upper().startswith("TOTAL") or "TOTAL" in period_text.upper():
            report.keep_apart("summary (TOTAL) rows, used only to check the England sums", ref)
            key = label_month or period_text
            totals[key].attendances += attendances
            totals[key].over += over
            continue
        dates = period_dates(label_month) if label_month else None
        if dates is None:
            report.skip("period-unparseable", ref)
            continue
        periods[label_month] = dates
        start, end = dates
        england = registry.areas.get(ENGLAND)
        if england is None or not england.exists_during(start, end):
            report.skip("area-not-valid", ref)
            continue
        report.imported.append(ref)
        seen.add(code.upper())
        places = [ENGLAND]
        place = place_row(registry, lookup, no_icb, code=code, icb_cell=cell("icb") if "icb" in columns else None,
                          start=start, end=end)
        icb = place.icb
        if icb is not None:
            places.append(icb.code)
            if place.how:  # an ONS code of another vintage
                report.matched.append(f"{report.rows([ref])}: {place.how}")
        else:
            why = place.no_icb or ("no ICB code for the row" if place.unmapped else "not placed, no attendances")
            report.partial.setdefault(f"in England and its region but no ICB ({why})", []).append(ref)
            if place.no_icb and attendances > 0:
                nobody.say(code.upper(), name, place.no_icb, attendances, label_month)
            elif place.unmapped and attendances > 0:
                nobody.unmapped += 1
            elif place.problem and attendances > 0:
                unplaced.append(Unplaced(ref, code.upper(), name, label_month, attendances, place.problem,
                                         place.given))
            elif place.problem:
                nobody.ignore(code.upper(), name, place.problem[2], label_month)
        region = registry.region(cell("parent_org"))
        if region is None and icb is not None:
            region = registry.areas.get(icb.parent)
        if region is not None and region.exists_during(start, end):
            places.append(region.code)
        else:
            report.partial.setdefault("in England but no region (Parent Org not recognised)", []).append(ref)
        for place in places:
            s = sums[(place, label_month)]
            s.attendances += attendances
            s.over += over
            s.rows += 1

    if unplaced:
        raise InputProblem(refusal(report.title, package, unplaced, nobody.ignored_text()))
    report.details += nobody.lines()
    report.details += [f"--no-icb {code}: no row of the file has this Org Code" for code in sorted(no_icb - seen)]
    kept: list[dict] = []
    if nobody.unmapped:  # nothing says where the providers go: no ICB value at all, the package's ICB rows kept
        for key in [k for k in sums if registry.areas[k[0]].type == "icb"]:
            del sums[key]
        kept = kept_icb_rows(data_dir, package, indicator_id, set(periods), registry)
        months = sorted(periods, key=month_start)
        kept_text = (f", and the package's {len(kept)} ICB value row(s) for {', '.join(months)} are kept as they "
                     "were" if kept else "")
        years = ", ".join(sorted({financial_year(month_start(m)) for m in months}))
        report.warnings.append(NO_MAPPING.format(kept=kept_text, years=years))

    values = []
    for (area, period), s in sums.items():
        if s.attendances <= 0:
            report.details.append(f"No value for {area} in {period}: no attendances")
            continue
        within = s.attendances - s.over
        start, end = periods[period]
        values.append({"indicator_id": indicator_id, "area_code": area, "period": period,
                       "period_start": start.isoformat(), "period_end": end.isoformat(),
                       "value": fmt_number(round(within / s.attendances * 100, 4)), "lower_ci": "", "upper_ci": "",
                       "numerator": fmt_number(within), "denominator": fmt_number(s.attendances),
                       "status": "final", "note": ""})
    for period, total in sorted(totals.items()):
        if period not in periods and len(periods) == 1:  # a TOTAL row without its month, in a one-month file
            period = next(iter(periods))
        mine = sums.get((ENGLAND, period))
        period = quoted(period)
        if mine is None:
            report.details.append(f"TOTAL row for {period}: no provider rows for that month")
        elif (mine.attendances, mine.over) != (total.attendances, total.over):
            report.details.append(f"TOTAL row for {period} differs from the sum of the providers: attendances "
                                  f"{fmt_number(total.attendances)} against {fmt_number(mine.attendances)}, over 4 "
                                  f"hours {fmt_number(total.over)} against {fmt_number(mine.over)}")
        else:
            report.details.append(f"TOTAL row for {period} agrees with the sum of the providers")
    if not values:
        raise InputProblem(report.render() + "Nothing to import: no row could be placed on a month.")
    values.sort(key=lambda v: (v["area_code"], v["period_start"]))
    report.values_written = len(values)
    values = sorted(values + kept, key=lambda v: (v["area_code"], v["period_start"]))
    indicator = {"id": indicator_id, **INDICATOR}
    write_package(data_dir, package, [indicator], values, title="A&E: 4-hour performance",
                  description="The share of A&E attendances dealt with within four hours, summed from NHS England's "
                              f"monthly A&E Attendances and Emergency Admissions returns ({OGL_TITLE}) "
                              "for England, NHS England regions and Integrated Care Boards.",
                  sources=[{"title": f"{SOURCE} ({OGL_TITLE})",
                            "path": "https://www.england.nhs.uk/statistics/statistical-work-areas/"
                                    "ae-waiting-times-and-activity/"}],
                  today=today, report=report)
    return report
