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

The published file has **no ICB column**: NHS England's ICB figures are derived by mapping providers to ICBs. A row
gets its ICB from the `ICB Code` column if the file has one (add it yourself, or use a commissioner-level file), else
from a lookup file given with `icb_lookup` (`--icb-lookup`: a CSV with columns `Org Code` and `ICB Code`), else
when `Org Code` is itself an ICB's ODS code. A row with no ICB still counts towards its region and England; the
report lists such rows. Each row goes to the region named in `Parent Org` (or, failing that, its ICB's region).
Other columns (12-hour waits, admissions) are ignored. A missing required column is an error naming it.

The file (and the lookup file) is read with `common.read_text` and `common.read_csv`: it is refused, with nothing
written, when it is not a regular file, is over a limit, has an unbalanced quote or a row with more or fewer cells
than the header, or gives a provider twice for the same month (the lookup: a provider twice); see
docs/importing.md, "What is refused".
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from icsite.core.standard import ENGLAND, OGL_TITLE
from icsite.importers.cells import fmt_number, parse_number, period_dates
from icsite.importers.common import INDICATOR_ID, InputProblem, quoted, read_csv, read_text, refuse_duplicates
from icsite.importers.package import write_package
from icsite.importers.registry import ONS_CODE, Registry
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
ICB_COLUMN = ["ICB Code", "ICB", "ICB ODS code", "ICB ONS code"]
MONTH_NAMES = {m.upper(): i for i, m in enumerate(["", "January", "February", "March", "April", "May", "June",
                                                  "July", "August", "September", "October", "November",
                                                  "December"]) if m}
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


def _norm(name: str) -> str:
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


def find_columns(header: list[str], label: str, exclude_booked: bool) -> tuple[dict[str, int], bool]:
    """Column index by role; InputProblem naming the first required column that is missing."""
    positions = {_norm(h): i for i, h in reversed(list(enumerate(header)))}
    found: dict[str, int] = {}
    for role, names in REQUIRED.items():
        index = next((positions[_norm(n)] for n in names if _norm(n) in positions), None)
        if index is None:
            alias = f" (or '{names[1]}')" if len(names) > 1 else ""
            raise InputProblem(f"{label}, line 1: the column '{names[0]}'{alias} is missing. The NHS England monthly "
                               "A&E CSV has the columns " + ", ".join(n[0] for n in REQUIRED.values())
                               + " (see docs/importing.md)")
        found[role] = index
    booked = all(_norm(n[0]) in positions for n in BOOKED.values()) and not exclude_booked
    if booked:
        found.update({role: positions[_norm(names[0])] for role, names in BOOKED.items()})
    icb = next((positions[_norm(n)] for n in ICB_COLUMN if _norm(n) in positions), None)
    if icb is not None:
        found["icb"] = icb
    return found, booked


def read_lookup(path: Path) -> dict[str, str]:
    """Provider ODS code -> ICB code, from a CSV with columns `Org Code` and `ICB Code`; refused when a provider
    is given twice."""
    header, rows = read_csv(read_text(path), str(path))
    header = [_norm(h) for h in header]
    org = next((header.index(n) for n in ("orgcode", "providercode", "provider") if n in header), None)
    icb = next((header.index(_norm(n)) for n in ICB_COLUMN if _norm(n) in header), None)
    if org is None or icb is None:
        raise InputProblem(f"{path}, line 1: expected the columns 'Org Code' and 'ICB Code'")
    rows = [(line, cells) for line, cells in rows if cells[org].strip()]
    refuse_duplicates(((cells[org].strip().upper(), RowRef(str(path), line)) for line, cells in rows),
                      lambda code: f"provider {quoted(code)}")
    return {cells[org].strip().upper(): cells[icb].strip() for _, cells in rows}


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
                icb_lookup: Path | None = None, exclude_booked: bool = False, today: date | None = None) -> Report:
    """Import one monthly A&E CSV into package `package` of `data_dir`; see the module docstring."""
    return import_text(read_text(path), path.name, data_dir, package, indicator_id=indicator_id,
                       lookup=read_lookup(icb_lookup) if icb_lookup else None, exclude_booked=exclude_booked,
                       today=today)


def import_text(text: str, label: str, data_dir: Path, package: str, *, indicator_id: str = "ae_4hr",
                lookup: dict[str, str] | None = None, exclude_booked: bool = False,
                today: date | None = None) -> Report:
    if not INDICATOR_ID.match(indicator_id):
        raise InputProblem(f"--id {indicator_id}: an id is lower-case letters, digits and _", status=2)
    today = today or date.today()
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
    report.details.append(f"{label}: {len(header)} columns; attendances of types 1, 2 and other"
                          + (", booked appointments included" if booked else
                             (", booked appointments left out" if exclude_booked else
                              " (no booked-appointment columns)"))
                          + ("; ICBs from the ICB column" if "icb" in columns else
                             ("; ICBs from the lookup file" if lookup is not None else
                              "; no ICB column: ICBs only for rows whose Org Code is an ICB")))

    sums: dict[tuple[str, str], Sums] = defaultdict(Sums)
    periods: dict[str, tuple[date, date]] = {}
    totals: dict[str, Sums] = defaultdict(Sums)
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
        places = [ENGLAND]
        icb_code = cell("icb") if "icb" in columns else ""
        if not icb_code and lookup is not None:
            icb_code = lookup.get(code.upper(), "")
        if not icb_code and any(a.type == "icb" for a in registry.by_ods.get(code.upper(), [])):
            icb_code = code
        icb = None
        if not icb_code:
            report.partial.setdefault("in England and its region but no ICB (no ICB code for the row)",
                                      []).append(ref)
        else:
            placement = registry.place(icb_code, "", start, end)
            icb = registry.areas.get(placement.code) if placement.code else None
            if icb is None or icb.type != "icb":
                report.partial.setdefault(f"in England and its region but no ICB (ICB code not placed: "
                                          f"{placement.reason or 'not an ICB'})", []).append(ref)
                icb = None
            else:
                places.append(icb.code)
                if placement.how and ONS_CODE.match(icb_code.upper()):  # an ONS code of another vintage
                    report.matched.append(f"{report.rows([ref])}: {placement.how}")
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
