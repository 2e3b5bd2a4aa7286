"""What the A&E importer (`nhse_ae`) can publish from NHS England's monthly A&E CSV: one indicator per measure.

Each measure is a ratio of counts (or a count) that the monthly file holds for every provider, summed to an area
and month before anything is divided, so an area's value is exactly what its providers' rows add up to:

- `4hr` (`ae_4hr`): attendances admitted, transferred or discharged within 4 hours, as a percentage of all
  attendances (types 1, 2 and other departments, and booked appointments when the file has them).
- `12hr-dta` (`ae_12hr_dta`): patients who waited more than 12 hours from the decision to admit them to their
  admission, per 1,000 emergency admissions via A&E (all types). Every such patient is one of those admissions,
  so it is a proportion (Wilson interval), shown per 1,000.
- `attendances` (`ae_attendances`): the number of A&E attendances (all types) in the month, a count.

The 4-hour and attendance counts are always read (the required columns of `nhse_ae.REQUIRED`); the 12-hour
measure's columns (`EXTRA["12hr-dta"]`) only when it is asked for, and then a missing one is an error naming it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from icsite.core.standard import OGL_TITLE
from icsite.importers.cells import fmt_number

SOURCE = "NHS England A&E Attendances and Emergency Admissions (monthly)"
SOURCE_URL = "https://www.england.nhs.uk/statistics/statistical-work-areas/ae-waiting-times-and-activity/"
ALL_TYPES = ("all types: major emergency departments, single-specialty departments and other departments such as "
             "urgent treatment centres")

#: the columns a measure needs beyond the required ones: role -> accepted names (the first is the current one)
EXTRA = {
    "12hr-dta": {
        "dta_12hr": ["Patients who have waited 12+ hrs from DTA to admission"],
        "adm_type1": ["Emergency admissions via A&E - Type 1"],
        "adm_type2": ["Emergency admissions via A&E - Type 2"],
        "adm_other": ["Emergency admissions via A&E - Other A&E department"],
    },
}


@dataclass
class Counts:
    """A row's counts, or their sum over an area's rows in a month."""

    attendances: float = 0
    over: float = 0  # attendances over 4 hours
    dta_12hr: float = 0  # patients waiting over 12 hours from decision to admit
    admissions: float = 0  # emergency admissions via A&E
    rows: int = 0

    def add(self, other: Counts) -> None:
        self.attendances += other.attendances
        self.over += other.over
        self.dta_12hr += other.dta_12hr
        self.admissions += other.admissions
        self.rows += 1

    @property
    def activity(self) -> float:
        """What a value could depend on: a provider with none cannot make a sum partial."""
        return self.attendances + self.admissions


@dataclass(frozen=True)
class Measure:
    key: str
    default_id: str
    indicator: dict = field(repr=False)
    multiplier: int = 1

    def counts(self, c: Counts) -> tuple[float, float] | None:
        """(numerator, denominator) of an area's month, or None when there is nothing to divide by."""
        if self.key == "4hr":
            return (c.attendances - c.over, c.attendances) if c.attendances > 0 else None
        if self.key == "12hr-dta":
            return (c.dta_12hr, c.admissions) if c.admissions > 0 else None
        return (c.attendances, 0) if c.attendances > 0 else None

    def value_row(self, indicator_id: str, area: str, period: str, start: date, end: date, c: Counts) -> dict | None:
        pair = self.counts(c)
        if pair is None:
            return None
        numerator, denominator = pair
        if self.indicator["value_type"] == "count":
            value, numerator, denominator = fmt_number(numerator), "", ""
        else:
            value = fmt_number(round(numerator / denominator * self.multiplier, 4))
            numerator, denominator = fmt_number(numerator), fmt_number(denominator)
        return {"indicator_id": indicator_id, "area_code": area, "period": period, "period_start": start.isoformat(),
                "period_end": end.isoformat(), "value": value, "lower_ci": "", "upper_ci": "",
                "numerator": numerator, "denominator": denominator, "status": "final", "note": ""}


def _indicator(title: str, short_title: str, unit: str, polarity: str, value_type: str, multiplier: int,
               decimals: int, definition: str, keywords: str) -> dict:
    return {"title": title, "short_title": short_title, "domain": "urgent_care", "unit": unit, "polarity": polarity,
            "value_type": value_type, "multiplier": str(multiplier), "decimals": str(decimals),
            "definition": definition, "source": SOURCE, "frequency": "monthly", "target": "", "target_label": "",
            "illustrative": "false", "fingertips_id": "", "keywords": keywords}


MEASURES = {m.key: m for m in [
    Measure("4hr", "ae_4hr", _indicator(
        "A&E: % of attendances admitted, transferred or discharged within 4 hours (all types)", "A&E within 4 hours",
        "%", "high_is_good", "proportion", 100, 1,
        f"Percentage of A&E attendances ({ALL_TYPES}) where the patient was admitted, transferred or discharged "
        "within four hours of arrival, summed from the providers' monthly returns.",
        "A&E; accident and emergency; emergency department; casualty; four hours; waiting times"), 100),
    Measure("12hr-dta", "ae_12hr_dta", _indicator(
        "A&E: patients waiting more than 12 hours from the decision to admit, per 1,000 emergency admissions via "
        "A&E", "A&E 12-hour waits to admission", "per 1,000 admissions", "low_is_good", "proportion", 1000, 1,
        "Patients who waited more than 12 hours in A&E between the decision to admit them and their admission "
        "(often called 12-hour trolley waits), per 1,000 emergency admissions via A&E (all types), summed from the "
        "providers' monthly returns.",
        "A&E; accident and emergency; trolley waits; 12 hours; decision to admit; corridor care"), 1000),
    Measure("attendances", "ae_attendances", _indicator(
        "A&E attendances (all types)", "A&E attendances", "attendances", "no_judgement", "count", 1, 0,
        f"Number of attendances at A&E ({ALL_TYPES}) in the month, summed from the providers' monthly returns.",
        "A&E; accident and emergency; emergency department; casualty; demand")),
]}


def package_text(keys: list[str]) -> tuple[str, str, list[dict]]:
    """The package's title, description and sources for a package of these measures."""
    one = {"4hr": "A&E: 4-hour performance", "12hr-dta": "A&E: 12-hour waits from decision to admit",
           "attendances": "A&E attendances"}
    title = one[keys[0]] if len(keys) == 1 else "A&E: attendances, 4-hour performance and 12-hour waits"
    what = {"4hr": "the share of A&E attendances dealt with within four hours",
            "12hr-dta": "patients waiting more than 12 hours from the decision to admit, per 1,000 emergency "
                        "admissions via A&E", "attendances": "the number of A&E attendances"}
    listed = [what[k] for k in keys]
    text = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
    description = (f"{text[0].upper()}{text[1:]}, summed from NHS England's monthly A&E Attendances and Emergency "
                   f"Admissions returns ({OGL_TITLE}) for England, NHS England regions and Integrated Care Boards.")
    return title, description, [{"title": f"{SOURCE} ({OGL_TITLE})", "path": SOURCE_URL}]
