"""The vocabulary of what went wrong with the input: problems are data, collected and reported together."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass

from icsite.core.standard import ENGLAND

#: A report quotes the input, which may be anything: a quoted value (found, expected, a field's name, text in quotes
#: in a message) is cut to QUOTE_CHARS characters and a message to MESSAGE_CHARS, each ending "…" when cut, so that
#: no input (a cell of a million characters) can make a report large.
QUOTE_CHARS = 200
MESSAGE_CHARS = 500
QUOTED = re.compile(r'"([^"]{%d,})"|\'([^\']{%d,})\'' % (QUOTE_CHARS + 1, QUOTE_CHARS + 1))


def clip(text: str | None, limit: int = QUOTE_CHARS) -> str | None:
    """`text` cut to `limit` characters, the last being "…" when it was longer."""
    if not isinstance(text, str) or len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


def clip_message(message: str) -> str:
    """A message with each long quoted part clipped, then the whole clipped. A very long message first loses its
    middle (its two ends keep the text around a long quotation)."""
    if len(message) <= QUOTE_CHARS:
        return message
    half = 50 * MESSAGE_CHARS
    if len(message) > 2 * half:
        message = message[:half] + message[-half:]
    return clip(QUOTED.sub(clip_quote, message), MESSAGE_CHARS)


def clip_quote(match: re.Match) -> str:
    """One quoted part of a message, clipped, in its quotes."""
    mark = match[0][0]
    return mark + clip(match[1] if match[1] is not None else match[2]) + mark


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

    def __post_init__(self):
        """Bound what the problem quotes (see QUOTE_CHARS): the one place every report passes through."""
        for name in ("field", "expected", "found"):
            object.__setattr__(self, name, clip(getattr(self, name)))
        object.__setattr__(self, "message", clip_message(self.message) if isinstance(self.message, str)
                           else self.message)

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


#: Every problem code the build can report: what it means and how to fix it. The data standard page documents
#: each one, and a test fails if one is missing there.
CODES: dict[str, tuple[str, str]] = {
    # the package and its files
    "package-descriptor-missing": ("a folder in the data folder has no datapackage.json",
                                   "Add a datapackage.json, or move the folder out of the data folder."),
    "package-invalid-json": ("datapackage.json is not valid JSON",
                             "Fix the JSON syntax (commas, quotes, brackets) at the line and column given."),
    "descriptor-invalid": ("datapackage.json does not follow the Data Package standard",
                           "Compare it with the shipped packages: profile, resources, schema fields and keys."),
    "package-path-unsafe": ("a package folder, an archived release's folder or a datapackage.json is a link to "
                            "somewhere outside its folder", "Copy the folder or file into place instead of linking "
                            "to it: only what is inside the data folder is read."),
    "resource-path-unsafe": ("a resource path leaves the package folder, is a web address or is not a .csv file "
                             "name, or the file is a link to a file outside the package",
                             "Put the CSV file itself (not a link to it) inside the package folder and name it by a "
                             "relative path ending .csv."),
    "resource-missing": ("a resource file named in datapackage.json does not exist",
                         "Check the file name (and its capitals) in datapackage.json against the folder."),
    "encoding-not-utf8": ("a file is not UTF-8 text",
                          "Save the file as 'CSV UTF-8' (Excel) or re-encode it as UTF-8."),
    "resource-unreadable": ("a resource cannot be read as CSV",
                            "Save it as comma-separated values with a header row."),
    "file-not-regular": ("a file the build reads is a folder, a named pipe (FIFO), a socket or a device, not a "
                         "regular file", "Replace it with the ordinary file it stands for."),
    "file-unreadable": ("a file cannot be opened: the build has no permission to read it, or it changed while "
                        "being read", "Let the build read the file (chmod a+r), then run the check again."),
    "file-too-large": ("a file is larger than the build reads: 2 GiB for a CSV file, 16 MiB for a "
                       "datapackage.json, 1 MiB for a markdown page",
                       "Check that the right file is named; split very large data into several packages."),
    "line-too-long": ("a line of a CSV file is longer than 1 MiB",
                      "Look for a missing line break or an unclosed double quote near the line given."),
    "header-too-wide": ("a CSV file's header has more than 1,000 columns",
                        "Check that the file is the table its schema describes, with a line break after the header."),
    "row-too-wide": ("a line of a CSV file has more than 1,000 cells (commas in quoted text count too)",
                     "Look for a line of stray commas near the line given; no table here has a thousand columns."),
    "name-unsafe": ("a package's or a resource's name is not lower-case letters, digits, '.', '_' and '-'",
                    "Rename it, e.g. urgent-emergency-care: names become part of the site's addresses."),
    "package-name-duplicate": ("two data packages have the same name (each is published at data/NAME/)",
                               "Give each package its own name in its datapackage.json."),
    "version-unsafe": ("a package's version is missing, or not letters, digits, '.', '_', '+' and '-' like 1.2.0",
                       "Give the package a version like 1.2.0: it names the release's folder."),
    "release-version-mismatch": ("an archived release's folder is not named by the version in its datapackage.json",
                                 "Name the folder after the version its datapackage.json gives (releases/1.2.0/ "
                                 "for version 1.2.0), as build.py release does."),
    "column-missing": ("a column the schema describes is not in the file",
                       "Add the column (it may be empty where the field is optional) or fix its name."),
    "column-unknown": ("the file has a column the schema does not describe",
                       "Remove the column, fix its name, or describe it in the schema."),
    "column-misplaced": ("the columns are not in the order the schema gives",
                         "Put the columns in the order of the schema's fields."),
    # cells and rows (Frictionless)
    "type-error": ("a cell is not of its field's type",
                   "Write numbers like 12.5 (no commas or % signs), dates like 2024-03-31."),
    "constraint-required": ("a required cell is empty", "Fill in the cell."),
    "constraint-enum": ("a cell is not one of the values the field allows",
                        "Use one of the values listed in the schema (they are case-sensitive)."),
    "constraint-pattern": ("a cell does not have the form the field requires",
                           "Check the expected form, e.g. an ONS code E54000008."),
    "constraint-range": ("a number or text length is outside the field's limits",
                         "Check the limits in the schema (minimum, maximum, length)."),
    "constraint-unique": ("a value that must be unique appears twice", "Remove or correct the duplicate."),
    "missing-cell": ("a row has fewer cells than the header", "Look for a missing comma in that row."),
    "extra-cell": ("a row has more cells than the header",
                   "Look for an extra comma, or text with a comma that is not in double quotes."),
    "blank-row": ("a row is empty", "Remove the empty row."),
    "duplicate-key": ("two rows have the same primary key", "Remove or correct one of the rows."),
    "reference-missing": ("a value refers to a row that does not exist (a foreign key)",
                          "Check the value against the table it refers to."),
    # domain checks
    "area-unknown": ("an area_code is not in the area registry",
                     f"Use an ICB's ONS code (E54...), a region's (E40...) or England's ({ENGLAND})."),
    "area-not-valid": ("a value belongs to a period when its area did not exist",
                       "Give the value to the board that covered the area then (see successions.csv)."),
    "indicator-unknown": ("an indicator_id is not in the package's indicators.csv",
                          "Add the indicator to indicators.csv or correct the id."),
    "indicator-duplicate": ("two packages define the same indicator id", "Give each indicator a unique id."),
    "value-duplicate": ("two rows give a value for the same indicator, area and period",
                        "Keep one row per indicator, area and period."),
    "value-missing": ("a row that is not suppressed has no value",
                      "Fill in the value, or set status to suppressed."),
    "value-outside-interval": ("a value is not inside its own confidence interval (95%, or 99.8% where only those "
                               "limits are given)", "Check that lower_ci and upper_ci (or lower_ci_99_8 and "
                               "upper_ci_99_8) belong to this row."),
    "interval-inverted": ("lower_ci is greater than upper_ci, or lower_ci_99_8 than upper_ci_99_8",
                          "Swap the two limits."),
    "interval-incomplete": ("only one limit of a confidence interval (95% or 99.8%) is given",
                            "Give both limits, or neither."),
    "interval-not-nested": ("the published 99.8% interval does not contain the 95% interval",
                            "Check that lower_ci_99_8 and upper_ci_99_8 belong to this row and are the 99.8% limits "
                            "(Fingertips' \"Lower CI 99.8 limit\" and \"Upper CI 99.8 limit\"), not the 95% ones."),
    "value-inconsistent": ("a value does not equal numerator / denominator x multiplier",
                           "Check the value, the counts and the indicator's multiplier (100 for a percentage)."),
    "proportion-out-of-range": ("a proportion is below 0% or above 100%",
                                "Check the value is on the indicator's scale (74.1 for 74.1% when the multiplier is 100)."),
    "numerator-exceeds-denominator": ("a proportion's numerator is larger than its denominator",
                                      "Check that the two counts are not swapped."),
    "count-negative": ("a count, numerator or denominator is negative", "Counts cannot be below zero."),
    "period-dates-inverted": ("period_start is after period_end", "Swap the dates."),
    "period-label-mismatch": ("the period label does not agree with its dates",
                              "Check the label (e.g. 2023/24, Mar 2026, 2024/25 Q1) and the dates it stands for."),
    "period-label-unknown": ("a period label is in no known format, so its dates cannot be checked",
                             "Use a Fingertips format: 2023, 2021 - 23, 2023/24, 2024/25 Q1, Mar 2026."),
    "suppressed-has-value": ("a suppressed row still publishes a number",
                             "Empty the number cells, or change the status if the value may be published."),
    "dsr-from-few-events": ("a directly standardised rate from fewer than 10 events, which PHE does not publish",
                            "Suppress it (status 'suppressed', the number cells empty): the site flags it and does "
                            "not compare it, but shows it."),
    "england-missing": ("a period has ICB values but no England value to compare them with",
                        f"Add the England ({ENGLAND}) value for the period."),
    "succession-dates": ("a succession's date does not match the validity of the areas it links",
                         "The successor's valid_from should be the date; the predecessor's valid_to the day before."),
    "area-location-missing": ("an ICB has no lat/long and no predecessor with one, so it is left off the tile maps",
                              "Add the board's ONS label point (lat, long) to areas.csv."),
    "control-character": ("a file holds a control character (such as NUL), which has no place in text",
                          "Remove the character at the line given; re-export the file as plain UTF-8 CSV."),
    "areas-missing": ("there is no area registry package", "Keep datapackages/areas/ from the project."),
    "indicators-missing": ("there is no indicator package with both an indicators and a values table",
                           "Add at least one indicator package (see the shipped ones, or the standard above)."),
    "page-unreadable": ("a markdown page is not UTF-8 or its front matter is not key: value lines",
                        "Save the page as UTF-8; check the lines between the two --- lines."),
    "page-path-unsafe": ("a markdown page is a link to a file outside the content folder",
                         "Copy the page into the content folder instead of linking to it."),
    "page-too-complex": ("a markdown page cannot be rendered within 10 seconds and 1 GiB of memory, or nests lists "
                         "or quotes too deeply", "Look for long runs of [ or of list and quote markers (- or >); "
                         "simplify the markdown or split the page."),
    "page-yaml-alias": ("a page's front matter uses a YAML alias (*name)",
                        "Write each value out in full: no & anchors and no * aliases."),
    "page-field-invalid": ("a front matter key has a value of the wrong kind",
                           "title, description, nav_title and footer_title are text; nav and footer true or false; "
                           "nav_order and footer_order numbers; template, if given, content.html."),
    "story-field-invalid": ("an improvement story's front matter lacks a field or has one of the wrong kind",
                            "A story needs title, board, indicators, from, to and summary, and a source link or a "
                            "contact unless it is an example; `build.py new-story` writes one to start from."),
    "story-board-unknown": ("an improvement story names a board the area registry does not have",
                            "Use the board's ODS code (e.g. QKS) or ONS code (e.g. E54000032), as in "
                            "datapackages/areas/areas.csv."),
    "story-indicator-unknown": ("an improvement story names an indicator the data does not have",
                                "Use indicator ids as in the packages' indicators.csv (the API lists them)."),
    "story-period-outside": ("an improvement story's period is not a period of its indicators' data",
                             "Write 'from' and 'to' as the data writes periods (2019/20, Apr 2025), within the "
                             "indicators' data, 'from' first."),
    "page-address-taken": ("a markdown page would be published at an address the build uses for its own "
                           "pages (the home page, ics/, indicators/, data/ ...) or at another page's",
                           "Rename or move the page: content/about-the-data.md is published at about-the-data/."),
}
