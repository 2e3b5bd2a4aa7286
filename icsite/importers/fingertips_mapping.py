"""A Fingertips export's rows as values, and its indicator's metadata inferred (see fingertips.py for the rules),
unless given with a flag (`Options`)."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from icsite.core.standard import ENGLAND
from icsite.importers.cells import fmt_number, frequency_of, parse_number, period_months, short_title
from icsite.importers.common import DOMAINS, FREQUENCIES, INDICATOR_ID, POLARITIES, VALUE_TYPES, InputProblem, quoted
from icsite.importers.fingertips_export import Row
from icsite.importers.report import RowRef, listed

SUPPRESSED_NOTE = re.compile(r"^\s*suppressed|\b(value|data)\s+(was\s+|has\s+been\s+|is\s+)?"
                             r"(suppressed|not\s+published|withheld)", re.I)
SCALES = [1, 100, 1000, 10000, 100000]
UNITS = {1000: "per 1,000", 10000: "per 10,000", 100000: "per 100,000"}
HAS_INTERVAL = {"proportion", "crude_rate", "directly_standardised_rate", "indirectly_standardised_ratio",
                "life_expectancy"}
HAS_COUNTS = {"proportion", "crude_rate", "directly_standardised_rate", "indirectly_standardised_ratio"}


# --- Options ------------------------------------------------------------------------------------------------------

@dataclass
class Options:
    """Flags: each value is given for every indicator (key "*") or for one Fingertips id (key "92443")."""

    overrides: dict[str, dict[str, str]] = field(default_factory=dict)
    package_title: str | None = None

    def get(self, name: str, indicator: str) -> str | None:
        given = self.overrides.get(name, {})
        return given.get(indicator, given.get("*"))

    def explicit(self, indicator: str) -> set[str]:
        return {name for name in self.overrides if self.get(name, indicator) is not None}


def check_options(options: Options, indicators: list[str]) -> None:
    """InputProblem (status 2) for a flag value outside its allowed values or naming an indicator not imported."""
    allowed = {"domain": DOMAINS, "polarity": POLARITIES, "value_type": VALUE_TYPES, "frequency": FREQUENCIES}
    for name, given in options.overrides.items():
        flag = "--" + name.replace("_", "-")
        for key, value in given.items():
            if key != "*" and key not in indicators:
                raise InputProblem(f"{flag} {key}={value}: indicator {key} is not in the export (it has "
                                   f"{listed(indicators)})", status=2)
            if name in allowed and value not in allowed[name]:
                raise InputProblem(f"{flag} {value}: expected one of {', '.join(allowed[name])}", status=2)
            if name == "id" and not INDICATOR_ID.match(value):
                raise InputProblem(f"{flag} {value}: an id is lower-case letters, digits and _", status=2)
            if name == "id" and key == "*" and len(indicators) > 1:
                raise InputProblem(f"{flag} {value}: the export has {len(indicators)} indicators "
                                   f"({', '.join(indicators)}); map each one as --id INDICATOR=ID", status=2)
            if name == "short_title" and len(value) > 32:
                raise InputProblem(f"{flag}: at most 32 characters (found {len(value)})", status=2)
            if name == "multiplier":
                try:
                    ok = float(value) >= 1
                except ValueError:
                    ok = False
                if not ok:
                    raise InputProblem(f"{flag} {value}: expected a number of at least 1 (100 for a percentage)",
                                       status=2)
            if name == "decimals" and value not in {"0", "1", "2", "3"}:
                raise InputProblem(f"{flag} {value}: expected a whole number from 0 to 3", status=2)


# --- Rows to values -------------------------------------------------------------------------------------------------

@dataclass
class Entry:
    """One headline row placed on an area and a period, its numbers parsed."""

    ref: RowRef
    area: str
    period: str
    start: date
    end: date
    value: float | None
    lower: float | None
    upper: float | None
    count: float | None
    denominator: float | None
    status: str
    note: str
    compared: str
    trend: str
    lower_99_8: float | None = None  # the published 99.8% limits ("Lower/Upper CI 99.8 limit")
    upper_99_8: float | None = None


def _same(a: str, b: str) -> bool:
    return "".join(a.split()).lower() == "".join(b.split()).lower()


def headline_combo(rows: list[Row], options: Options, indicator: str) -> tuple[tuple[str, str], str]:
    """The Sex and Age of the indicator's headline rows (see the module docstring), and how they were chosen."""
    combos = Counter((r[7], r[8]) for r in rows if not r[9])
    if not combos:
        return ("", ""), "no headline rows"
    sex, age = options.get("sex", indicator), options.get("age", indicator)
    given = " and ".join(flag for flag, value in (("--sex", sex), ("--age", age)) if value is not None)
    if given:
        wanted = [c for c in combos if (sex is None or _same(c[0], sex)) and (age is None or _same(c[1], age))]
        if not wanted:
            have = "; ".join(f"{quoted(s, 40)}, {quoted(a, 40)}" for s, a in combos)
            raise InputProblem(f"indicator {indicator} has no headline rows with Sex '{quoted(sex or 'any')}' and "
                               f"Age '{quoted(age or 'any')}' (it has: {have})", status=2)
        combos = Counter({c: combos[c] for c in wanted})
    persons = Counter({c: n for c, n in combos.items() if c[0].lower() == "persons"})
    pool = persons or combos
    best = max(pool.values())
    combo = next(c for c in pool if pool[c] == best)  # Counter keeps first-seen order
    tie = ", the first in the file of those with as many" if list(pool.values()).count(best) > 1 else ""
    how = [f"given with {given}"] if given else []
    if len(combos) > 1:  # several matched: say how one was chosen
        how.append("the Persons one" if len(pool) == 1 else
                   f"the most common{' Persons' if persons else ''} combination ({best} rows{tie})")
        how.append("choose another with --sex and --age")
    return combo, "; ".join(how) or "the only one"


# --- Titles ---------------------------------------------------------------------------------------------------------

NO_SEX = {"", "persons", "not applicable"}
NO_AGE = {"", "all ages", "not applicable"}
SEX_WORDS = {"male": r"males?|men|boys", "female": r"females?|women|girls"}


AGE_FORMS = {"range": r"(\d+)\s*-\s*(\d+) ?yrs?", "plus": r"(\d+) ?\+ ?yrs?", "under": r"< ?(\d+) ?yrs?",
             "single": r"(\d+) ?yrs?"}  # Fingertips age labels: `0-4 yrs`, `65+ yrs`, `<75 yrs`, `65 yrs`


def _age_form(label: str) -> tuple[str, list[str]] | None:
    for form, pattern in AGE_FORMS.items():
        if m := re.fullmatch(pattern, label, re.I):
            return form, list(m.groups())
    return None


def age_words(age: str) -> str:
    """A Fingertips age label in words: `0-4 yrs` 0 to 4 years, `65+ yrs` 65+ years, `<1 yr` under 1 year, `65 yrs`
    65 years (a label in another form as it is)."""
    label = " ".join(age.split())
    parsed = _age_form(label)
    if parsed is None:
        return label
    form, (a, *b) = parsed
    years = lambda n: f"{n} year{'' if n == '1' else 's'}"  # noqa: E731
    return {"range": lambda: f"{a} to {years(b[0])}", "plus": lambda: f"{a}+ years",
            "under": lambda: f"under {years(a)}", "single": lambda: years(a)}[form]()


def names_age(name: str, age: str) -> bool:
    """Whether an indicator name already says its age group (`Under 75 mortality...` for `<75 yrs`, `(18+)` for
    `18+ yrs`, `(0 to 4 years)` for `0-4 yrs`, `at 65` for `65 yrs`)."""
    label = " ".join(age.split())
    if label.lower() in name.lower():
        return True
    parsed = _age_form(label)
    if parsed is None:
        return False
    form, (a, *b) = parsed
    a = rf"(?<![\d.]){a}(?![\d.])"
    said = {"range": lambda: a + r"\s*(-|–|to)\s*" + rf"(?<![\d.]){b[0]}(?![\d.])",
            "plus": lambda: a + r"\s*(\+|(years\s+)?(and|or)\s+(over|older|above))|\bover\s+" + a,
            "under": lambda: r"(<\s*|\b(under|below|less than)\s+)" + a,
            "single": lambda: r"\b(at|aged?)\s+" + a + r"(?!\s*(\+|-|–|to\b))|" + a + r"\s*(yrs?|years?)\b"}[form]()
    return bool(re.search(said, name, re.I))


def titles(name: str, combo: tuple[str, str]) -> tuple[str, str]:
    """The title and short title of an indicator: its name, with its Sex and Age unless `Persons`, `All ages` or
    said by the name (`Emergency admissions (0 to 4 years)`, short `Emergency admissions (0-4 yrs)`). The short
    title is at most 32 characters: the name is cut before the Sex and Age are (shown as Fingertips labels them), and
    an age said in the name's last brackets is shown the same way."""
    name = " ".join(name.split())
    sex, age = (" ".join(x.split()) for x in combo)
    sex_said = re.compile(rf"\b({SEX_WORDS.get(sex.lower(), re.escape(sex))})\b", re.I)
    show_sex = sex.lower() not in NO_SEX and not sex_said.search(name)
    show_age = age.lower() not in NO_AGE and not names_age(name, age)
    last = re.fullmatch(r"(.*?\S)\s*\(([^()]*)\)", name)
    in_last = bool(last) and age.lower() not in NO_AGE and names_age(last[2], age)  # `... (0 to 4 years)`
    words = [sex] * show_sex + [age_words(age)] * show_age
    if in_last and show_sex:  # `Emergency admissions (Male, 0 to 4 years)`
        title = f"{last[1]} ({sex}, {last[2]})"
    else:
        title = name + (f" ({', '.join(words)})" if words else "")
    if len(title) <= 32:
        return title, title
    base, short_sex, short_age = name, show_sex, show_age
    if in_last:  # the short title shows the age as Fingertips labels it: `(0-4 yrs)`
        base, short_age = last[1], True
        short_sex = show_sex or (sex.lower() not in NO_SEX and bool(sex_said.search(last[2])))
    labels = [sex] * short_sex + [age] * short_age
    suffix = f" ({', '.join(labels)})" if labels else ""
    room = 32 - len(suffix)
    if len(base) <= room:
        return title, base + suffix
    if room >= 12:
        return title, short_title(base, room) + suffix
    return title, short_title(title)


def parse_entry(row: Row, placement_code: str, label: str, start: date, end: date) -> Entry:
    """The numbers of a headline row (ValueError when one is not a number or is negative)."""
    note = " ".join(row[19].split())
    suppressed = not row[12] or bool(SUPPRESSED_NOTE.search(note))
    if suppressed:
        return Entry(row.ref, placement_code, label, start, end, None, None, None, None, None, "suppressed",
                     note or "No value in the Fingertips export", row[21], row[20])
    numbers = [parse_number(row[i]) for i in (12, 13, 14, 17, 18, 15, 16)]
    if any(x is not None and x < 0 for x in numbers):
        raise ValueError("negative")
    status = "provisional" if re.search(r"provisional", note, re.I) else "final"
    return Entry(row.ref, placement_code, label, start, end, *numbers[:5], status, note, row[21], row[20],
                 *numbers[5:])


def comparison_votes(entries: list[Entry]) -> tuple[Counter, Counter]:
    """Votes for high_is_good / low_is_good from the England comparison labels, and from the trend labels."""
    england = {e.period: e.value for e in entries if e.area == ENGLAND and e.value is not None}
    by_comparison, by_trend = Counter(), Counter()
    for e in entries:
        eng = england.get(e.period)
        label = e.compared.lower()
        if e.area != ENGLAND and e.value is not None and eng is not None and e.value != eng:
            higher = e.value > eng
            if label.startswith(("better", "best")):
                by_comparison["high_is_good" if higher else "low_is_good"] += 1
            elif label.startswith(("worse", "worst")):
                by_comparison["low_is_good" if higher else "high_is_good"] += 1
        trend = e.trend.lower()
        for direction, better in (("increasing and getting better", "high_is_good"),
                                  ("decreasing and getting better", "low_is_good"),
                                  ("increasing and getting worse", "low_is_good"),
                                  ("decreasing and getting worse", "high_is_good")):
            if trend.startswith(direction):
                by_trend[better] += 1
    return by_comparison, by_trend


def scale_of(entries: list[Entry]) -> tuple[int, bool, int] | None:
    """(M, exact, rows): the power of ten nearest value / (count / denominator), whether every row equals
    count / denominator x M, and how many rows had counts; None without counts."""
    with_counts = [e for e in entries if e.value and e.count and e.denominator]
    if not with_counts:
        return None
    ratios = [e.value / (e.count / e.denominator) for e in with_counts]
    middle = math.log10(statistics.median(ratios))
    m = min(SCALES, key=lambda s: abs(math.log10(s) - middle))
    exact = all(abs(e.value - e.count / e.denominator * m) <= max(1e-3 * e.value, 0.005) for e in with_counts)
    return m, exact, len(with_counts)


def infer(indicator: str, name: str, entries: list[Entry], options: Options, combo: tuple[str, str],
          explain: list[str]) -> dict:
    """The indicators.csv row of one indicator: inferred, unless given as flags; `explain` gets one line per field."""
    def given(key):
        return options.get(key, indicator)

    placed = [e for e in entries if e.value is not None]
    scale = scale_of(placed)
    lname = name.lower()
    # value type and multiplier
    if scale:
        m, exact, n = scale
        within = all(e.count <= e.denominator for e in placed if e.count is not None and e.denominator)
        if exact and m in (1, 100) and within:
            vtype = "proportion"
        elif exact:
            vtype = "crude_rate"
        else:
            vtype = "directly_standardised_rate"
        how = (f"value = count / denominator x {m} in all {n} rows with counts" if exact else
               f"value / (count / denominator) is near {m} but not equal (age standardised) in {n} rows")
    else:
        m = None
        middle_value = statistics.median([e.value for e in placed]) if placed else 0
        if "life expectancy" in lname:
            vtype, how = "life_expectancy", "no counts; 'life expectancy' in the name"
        elif "ratio" in lname:
            vtype, how = "indirectly_standardised_ratio", "no counts; 'ratio' in the name"
            m = 100 if middle_value > 10 else 1
        elif placed and all(e.count is not None and e.value == e.count for e in placed):
            vtype, how = "count", "every value equals its count"
        elif "score" in lname:
            vtype, how = "score", "no counts; 'score' in the name"
        else:
            vtype, how = "score", "could not infer it (no counts); set it with --value-type"
    if given("value_type"):
        vtype, how = given("value_type"), "given with --value-type"
    if given("multiplier"):
        multiplier, mhow = float(given("multiplier")), "given with --multiplier"
    elif m is not None:
        multiplier, mhow = m, "from the values and counts"
    else:
        multiplier = {"proportion": 100, "crude_rate": 1000, "directly_standardised_rate": 100000}.get(vtype, 1)
        mhow = "the usual one for the value type"
    explain.append(f"  value_type {vtype}: {how}")
    explain.append(f"  multiplier {fmt_number(multiplier)}: {mhow}")
    # unit
    if given("unit"):
        unit, uhow = given("unit"), "given with --unit"
    else:
        if vtype in ("proportion", "crude_rate", "directly_standardised_rate"):
            unit = "%" if multiplier == 100 else UNITS.get(int(multiplier), "proportion" if multiplier == 1
                                                           else f"per {fmt_number(multiplier)}")
        else:
            unit = {"life_expectancy": "years", "indirectly_standardised_ratio": "ratio", "count": "count",
                    "mean": "mean", "score": "score"}[vtype]
        uhow = "from the value type and multiplier"
    explain.append(f"  unit {unit}: {uhow}")
    # polarity
    by_comparison, by_trend = comparison_votes(entries)
    if given("polarity"):
        polarity, phow = given("polarity"), "given with --polarity"
    else:
        votes, what = (by_comparison, "comparisons with England") if by_comparison else (by_trend, "trend labels")
        ranked = votes.most_common()
        if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
            polarity = "no_judgement"
            phow = ("the comparisons disagree" if ranked else
                    "no Better/Worse comparison or better/worse trend in the export")
        else:
            polarity = ranked[0][0]
            against = sum(n for p, n in ranked[1:])
            phow = f"{ranked[0][1]} {what} say so" + (f" ({against} disagree)" if against else "")
    explain.append(f"  polarity {polarity}: {phow}")
    # frequency, domain, decimals, titles
    months = [period_months(e.start, e.end) for e in entries]
    frequency = given("frequency") or frequency_of(months)
    explain.append(f"  frequency {frequency}: " + ("given with --frequency" if given("frequency") else
                                                   "from the most common period length"))
    domain = given("domain") or "healthy_lives"
    explain.append(f"  domain {domain}: " + ("given with --domain" if given("domain") else
                                             "the default (set it with --domain)"))
    decimals = given("decimals") or ("0" if vtype == "count" else "1")
    sex, age = combo
    title, short = titles(name, combo)
    if given("title"):
        title, short = given("title"), short_title(given("title"))
    short = given("short_title") or short
    plain = " ".join(name.split())
    definition = given("definition") or (f"{plain} ({sex}, {age}). Figures from OHID Fingertips indicator "
                                         f"{indicator}; its full definition is in the Fingertips metadata.")
    return {"id": given("id") or f"fingertips_{indicator}", "title": title, "short_title": short, "domain": domain,
            "unit": unit, "polarity": polarity, "value_type": vtype, "multiplier": fmt_number(multiplier),
            "decimals": decimals, "definition": definition, "source": f"OHID Fingertips, indicator {indicator}",
            "frequency": frequency, "target": "", "target_label": "", "illustrative": "false",
            "fingertips_id": indicator, "keywords": given("keywords") or ""}


def value_row(indicator_id: str, e: Entry, vtype: str) -> dict:
    """One values.csv row; the 99.8% limits (`lower_ci_99_8`, `upper_ci_99_8`) are empty where the export has none
    (`package.write_package` writes their columns only when some row has them)."""
    interval = vtype in HAS_INTERVAL
    counts = vtype in HAS_COUNTS
    return {"indicator_id": indicator_id, "area_code": e.area, "period": e.period,
            "period_start": e.start.isoformat(), "period_end": e.end.isoformat(), "value": fmt_number(e.value),
            "lower_ci": fmt_number(e.lower) if interval else "", "upper_ci": fmt_number(e.upper) if interval else "",
            "lower_ci_99_8": fmt_number(e.lower_99_8) if interval else "",
            "upper_ci_99_8": fmt_number(e.upper_99_8) if interval else "",
            "numerator": fmt_number(e.count) if counts else "",
            "denominator": fmt_number(e.denominator) if counts else "", "status": e.status, "note": e.note}

