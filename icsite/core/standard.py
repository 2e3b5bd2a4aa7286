"""The data package standard, as code: the Table Schemas of an indicator package's two resources and its descriptor.

Used by the shipped data's generator (scripts/make_demo.py), the scaffold (`build.py new-indicator-package`) and the
importers, so every package they write has exactly the same fields. content/data-standard.md documents it. Also the
one home of England's area code, the licence's name and address, and the characters that start a spreadsheet formula.
"""

from __future__ import annotations

ENGLAND = "E92000001"  # England's ONS code: the benchmark every ICB is compared with
OGL_TITLE = "Open Government Licence v3.0"  # the licence of the public facts and figures the site publishes
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
#: Text a spreadsheet would read as a formula starts with one of these: published CSV cells starting so are prefixed
#: with an apostrophe (the usual defence against formula injection).
DSR_FROM = 10  # PHE publishes no directly standardised rate (or interval) from fewer events


def ranking_polarity(polarity: str, value_type: str) -> str:
    """The polarity an indicator's values are ranked and placed by: its own, except that a count grows with its
    area's population, so counts are ranked by size ("no_judgement"), never best to worst."""
    return "no_judgement" if value_type == "count" else polarity


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def field(name, type_, description, **constraints):
    """A Table Schema field."""
    f = {"name": name, "type": type_, "description": description}
    if constraints:
        f["constraints"] = constraints
    return f


IND_FIELDS = ["id", "title", "short_title", "domain", "unit", "polarity", "value_type", "multiplier", "decimals",
              "definition", "source", "frequency", "target", "target_label", "illustrative", "fingertips_id",
              "keywords"]
VAL_FIELDS = ["indicator_id", "area_code", "period", "period_start", "period_end", "value", "lower_ci",
              "upper_ci", "numerator", "denominator", "status", "note"]
#: The optional fields of values.csv: the published 99.8% limits. A package has both columns or neither, placed
#: right after upper_ci (`value_fields`); without them the build works the 99.8% limits out itself.
CI_99_8_FIELDS = ["lower_ci_99_8", "upper_ci_99_8"]


def value_fields(ci_99_8: bool = False) -> list[str]:
    """The columns of values.csv: `VAL_FIELDS`, with the optional 99.8% limits right after upper_ci if `ci_99_8`."""
    at = VAL_FIELDS.index("upper_ci") + 1
    return VAL_FIELDS[:at] + (CI_99_8_FIELDS if ci_99_8 else []) + VAL_FIELDS[at:]


INDICATOR_SCHEMA = {
    "fields": [
        field("id", "string", "Indicator id", required=True, unique=True, pattern="[a-z0-9_]+"),
        field("title", "string", "Indicator title", required=True),
        field("short_title", "string", "A title of at most 32 characters for chart panels and tight tables",
              required=True, maxLength=32),
        field("domain", "string", "The theme a citizen scans by", required=True,
              enum=["healthy_lives", "prevention", "urgent_care", "planned_care", "cancer",
                    "mental_health", "primary_care", "context"]),
        field("unit", "string", "Unit as people read it", required=True),
        field("polarity", "string", "Whether a higher value is better, worse or neither", required=True,
              enum=["high_is_good", "low_is_good", "no_judgement"]),
        field("value_type", "string", "Kind of statistic (decides the interval method)", required=True,
              enum=["proportion", "crude_rate", "directly_standardised_rate", "indirectly_standardised_ratio",
                    "life_expectancy", "mean", "count", "score"]),
        field("multiplier", "number", "100 for a percentage, 100000 per 100,000, 1000 per 1,000, 1 otherwise",
              required=True, minimum=1),
        field("decimals", "integer", "Decimal places to show", required=True, minimum=0, maximum=3),
        field("definition", "string", "Plain-English definition", required=True),
        field("source", "string", "The publication the real figures come from", required=True),
        field("frequency", "string", "How often a new period is published", required=True,
              enum=["monthly", "quarterly", "annual", "three_year"]),
        field("target", "number", "National target on the value's scale, where there is a clear one"),
        field("target_label", "string", "What the target is and who set it"),
        field("illustrative", "boolean", "true when the values are generated demo values", required=True),
        field("fingertips_id", "integer", "OHID Fingertips indicator id, where known", minimum=1),
        field("keywords", "string", "Other words people search with for this indicator, separated by semicolons "
              "(optional)"),
    ],
    "missingValues": [""],
    "primaryKey": ["id"],
}
VALUE_SCHEMA = {
    "fields": [
        field("indicator_id", "string", "Indicator id (indicators.id)", required=True, pattern="[a-z0-9_]+"),
        field("area_code", "string", "ONS code of the area; must exist in the areas package", required=True,
              pattern="E(92|40|54)[0-9]{6}"),
        field("period", "string", "Period label as people read it (Fingertips formats)", required=True),
        field("period_start", "date", "First day of the period", required=True),
        field("period_end", "date", "Last day of the period (inclusive)", required=True),
        field("value", "number", "The value, already multiplied (74.1 for 74.1%); empty only when status is suppressed",
              minimum=0),
        field("lower_ci", "number", "Lower 95% confidence limit; empty for counts, scores, means and suppressed "
              "values. Wilson score for proportions; Byar's method (exact Poisson below 10 events) for crude and "
              "directly standardised rates, without Dobson's adjustment as the demo has no age breakdown; "
              "life expectancy: value -/+ 1.96 standard errors", minimum=0),
        field("upper_ci", "number", "Upper 95% confidence limit; empty for counts, scores, means and suppressed values",
              minimum=0),
        field("numerator", "number", "Numerator (events or people); given for proportions and rates, empty for "
              "life expectancy, means, counts, scores and suppressed values", minimum=0),
        field("denominator", "number", "Denominator (population or cases); given for proportions and rates, empty "
              "for life expectancy, means, counts, scores and suppressed values", minimum=0),
        field("status", "string", "final, provisional, revised or suppressed", required=True,
              enum=["final", "provisional", "revised", "suppressed"]),
        field("note", "string", "Note on this value"),
    ],
    "missingValues": [""],
    "primaryKey": ["indicator_id", "area_code", "period"],
    "foreignKeys": [{"fields": ["indicator_id"], "reference": {"resource": "indicators", "fields": ["id"]}}],
}
#: the Table Schema fields of the optional 99.8% limits (`CI_99_8_FIELDS`)
CI_99_8_SCHEMA_FIELDS = [
    field("lower_ci_99_8", "number", "Lower 99.8% confidence limit as published (e.g. Fingertips' \"Lower CI 99.8 "
          "limit\"); optional: without this column the build works the 99.8% limits out itself", minimum=0),
    field("upper_ci_99_8", "number", "Upper 99.8% confidence limit as published (e.g. Fingertips' \"Upper CI 99.8 "
          "limit\"); optional, given with lower_ci_99_8", minimum=0),
]


def value_schema(ci_99_8: bool = False) -> dict:
    """The Table Schema of values.csv: `VALUE_SCHEMA` (the shipped packages'), or with the optional 99.8% limits
    right after upper_ci when `ci_99_8`."""
    if not ci_99_8:
        return VALUE_SCHEMA
    fields = VALUE_SCHEMA["fields"]
    at = [f["name"] for f in fields].index("upper_ci") + 1
    return {**VALUE_SCHEMA, "fields": fields[:at] + CI_99_8_SCHEMA_FIELDS + fields[at:]}


OGL = {"name": "OGL-UK-3.0", "title": OGL_TITLE, "path": OGL_URL}


def indicator_package(name: str, title: str, description: str, sources: list[dict], *, version: str, created: str,
                      illustrative: bool, licences: list[dict] | None = None, ci_99_8: bool = False) -> dict:
    """The datapackage.json descriptor of an indicator package (indicators.csv and values.csv; with the optional
    99.8% limits if `ci_99_8`)."""
    return {
        "profile": "tabular-data-package", "name": name, "title": title, "description": description,
        "illustrative": illustrative, "version": version, "created": created,
        "licenses": licences or [OGL], "sources": sources,
        "resources": [
            {"name": "indicators", "path": "indicators.csv", "profile": "tabular-data-resource",
             "title": "Indicators", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
             "schema": INDICATOR_SCHEMA},
            {"name": "values", "path": "values.csv", "profile": "tabular-data-resource",
             "title": "Values", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
             "schema": value_schema(ci_99_8)},
        ],
    }
