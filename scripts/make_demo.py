"""Build the four indicator data packages under datapackages/.

Usage: python scripts/make_demo.py [--reference DIR]   (run scripts/make_areas.py first)

Most values are ILLUSTRATIVE: generated here, deterministically (numpy default_rng seeded with
zlib.crc32 of the indicator id; no wall clock), centred on the England figures in the reference
indicator catalogue. Real values: registered_population, diabetes_qof_prevalence and imd_score,
from the OHID Fingertips extract in the reference files (Open Government Licence v3.0).
"""
import argparse
import csv
import math
import re
import zlib
from collections import namedtuple
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from package_io import write_csv, write_json

from icsite.core.standard import ENGLAND, IND_FIELDS, OGL_TITLE, VAL_FIELDS, indicator_package  # noqa: E402 (package_io puts the repo on the path)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "datapackages"
CREATED = "2026-11-26T00:00:00Z"
T0 = date(2025, 1, 1)  # trends are centred here, near the catalogue's England figures
Z95 = 1.959964
PACKAGES = {
    "population-health": "Population health: life expectancy, mortality, risk factors, prevention and context",
    "urgent-emergency-care": "Urgent and emergency care: A&E, ambulances, discharge and readmissions",
    "planned-care-cancer": "Planned care and cancer: waiting times, diagnostics and cancer standards",
    "primary-community-mental-health": "Primary, community and mental health care",
}
#: a package whose indicators changed gets a new version (its previous one is in its releases/, kept with
#: `build.py release` before the change): urgent-emergency-care lost ae_4hr and ae_attendances in 2.0.0, now real
#: NHS England figures in the ae-monthly package (scripts/import_real.py)
VERSIONS = {"urgent-emergency-care": ("2.0.0", "2026-12-02T00:00:00Z")}
MULT = {"proportion": 100, "directly_standardised_rate": 100000, "crude_rate": 1000,
        "life_expectancy": 1, "mean": 1, "count": 1, "score": 1}
FREQ = {"monthly": "monthly", "quarterly": "quarterly", "fy": "annual", "cal": "annual",
        "three_year": "three_year"}
TARGETS = {"ae_12hr_from_arrival": 2, "amb_cat2_mean": 30, "amb_cat1_mean": 7,
           "rtt_18wk": 65, "rtt_52wk_share": 1, "diag_6wk": 1, "cancer_fds_28d": 80,
           "cancer_62d": 75, "cancer_early_stage": 75, "vacc_6in1_12m": 95, "vacc_mmr1_2y": 95,
           "vacc_mmr2_5y": 95, "dementia_diagnosis_rate": 66.7, "talking_therapies_recovery": 50,
           "hypertension_treated_to_target": 80}
PLANNING = "NHS England 2025/26 planning guidance"
SETTERS = {"ae_12hr_from_arrival": "NHS England requirement (as reported by RCEM)",
           "amb_cat2_mean": f"{PLANNING} (30 minutes); constitutional standard (18 minutes)",
           "amb_cat1_mean": "NHS constitutional standard", "cancer_fds_28d": PLANNING,
           "rtt_18wk": f"{PLANNING} (65%); NHS Constitution (92%)", "rtt_52wk_share": PLANNING,
           "diag_6wk": "NHS diagnostic waiting times standard (as described by the King's Fund)",
           "cancer_62d": PLANNING, "cancer_early_stage": "NHS Long Term Plan (2019)",
           "hypertension_treated_to_target": "PHE and NHS England national CVD prevention ambitions (2019)",
           "vacc_6in1_12m": "WHO Europe / UK expectation", "vacc_mmr1_2y": "WHO Europe / UK expectation",
           "vacc_mmr2_5y": "WHO Europe / UK expectation", "cyp_mh_access": PLANNING,
           "dementia_diagnosis_rate": "Prime Minister's Challenge on Dementia 2020 (2015), restated in NHS planning",
           "talking_therapies_recovery": "long-standing NHS Talking Therapies standard"}
# Centres where the catalogue has no usable England figure (plausible, chosen for the demo).
CENTRES = {"u75_cvd_preventable_mortality": 30, "obesity_year6": 22, "vacc_mmr1_2y": 89,
           "hypertension_treated_to_target": 68, "deaths_usual_residence_65plus": 49,
           "selfharm_admissions_10_24": 330, "ae_12hr_from_arrival": 7, "cyp_mh_access": 800000}
REAL = {"registered_population", "diabetes_qof_prevalence", "imd_score"}

# id, package, domain, value_type, unit, decimals, period kind, denominator per head per period,
# spread of the area effect (relative; years for life expectancy), trend per year (relative;
# years for LE), seasonal amplitude (relative, peak in January), definition.
S = namedtuple("S", "id pkg domain vtype unit dec kind dph spread trend season definition")
PH, UEC, PCC, PCMH = PACKAGES
SPECS = [
    S("le_birth_male", PH, "healthy_lives", "life_expectancy", "years", 1, "three_year", 0, 1.3, 0.1, 0, "Average number of years a baby boy would live if he experienced the death rates of the area over the three years throughout his life."),
    S("le_birth_female", PH, "healthy_lives", "life_expectancy", "years", 1, "three_year", 0, 1.1, 0.1, 0, "Average number of years a baby girl would live if she experienced the death rates of the area over the three years throughout her life."),
    S("hle_birth_male", PH, "healthy_lives", "life_expectancy", "years", 1, "three_year", 0, 2.6, 0.05, 0, "Average number of years a baby boy would live in good health, based on the area's death rates and how people there rate their own health."),
    S("hle_birth_female", PH, "healthy_lives", "life_expectancy", "years", 1, "three_year", 0, 2.8, 0.05, 0, "Average number of years a baby girl would live in good health, based on the area's death rates and how people there rate their own health."),
    S("u75_cvd_mortality", PH, "healthy_lives", "directly_standardised_rate", "per 100,000", 1, "cal", 0.91, 0.18, -0.01, 0, "Deaths before age 75 from heart disease, stroke and other circulatory diseases, per 100,000 people, adjusted for age so areas can be compared."),
    S("u75_cancer_mortality", PH, "healthy_lives", "directly_standardised_rate", "per 100,000", 1, "cal", 0.91, 0.10, -0.01, 0, "Deaths before age 75 from cancer, per 100,000 people, adjusted for age so areas can be compared."),
    S("u75_cvd_preventable_mortality", PH, "healthy_lives", "directly_standardised_rate", "per 100,000", 1, "three_year", 2.73, 0.20, -0.01, 0, "Deaths before age 75 from circulatory diseases that are considered preventable, per 100,000 people a year, age-adjusted, over three years."),
    S("infant_mortality", PH, "healthy_lives", "crude_rate", "per 1,000 live births", 1, "three_year", 0.0285, 0.20, -0.01, 0, "Deaths of babies under one year old per 1,000 live births, over three years."),
    S("smoking_prevalence_adults", PH, "healthy_lives", "proportion", "%", 1, "cal", 0.0024, 0.15, -0.03, 0, "Percentage of adults (18+) who say they currently smoke (Annual Population Survey)."),
    S("obesity_adults", PH, "healthy_lives", "proportion", "%", 1, "fy", 0.0027, 0.10, 0.005, 0, "Percentage of adults (18+) living with obesity (body mass index 30 or more), from a survey."),
    S("overweight_obese_adults", PH, "healthy_lives", "proportion", "%", 1, "fy", 0.0027, 0.05, 0.003, 0, "Percentage of adults (18+) who are overweight or living with obesity (body mass index 25 or more), from a survey."),
    S("obesity_year6", PH, "healthy_lives", "proportion", "%", 1, "fy", 0.0105, 0.12, -0.005, 0, "Percentage of children in school Year 6 (age 10 to 11) measured as living with obesity, including severe obesity."),
    S("diabetes_qof_prevalence", PH, "healthy_lives", "proportion", "%", 2, "fy", 0, 0, 0, 0, "People on GP practice diabetes registers (QOF) as a percentage of ALL registered patients of all ages. The published QOF prevalence uses patients aged 17+ as the denominator (England 7.66% in 2023/24); that list size is not in the extract used, so these figures are lower than the published ones."),
    S("hypertension_treated_to_target", PH, "prevention", "proportion", "%", 1, "quarterly", 0.14, 0.05, 0.01, 0, "Percentage of people with diagnosed high blood pressure whose last blood pressure reading was at or below the target for their age."),
    S("suicide_rate", PH, "mental_health", "directly_standardised_rate", "per 100,000", 1, "three_year", 3.0, 0.15, 0, 0, "Deaths from suicide and injury of undetermined intent per 100,000 people a year, age-adjusted, over three years of registrations."),
    S("vacc_6in1_12m", PH, "prevention", "proportion", "%", 1, "fy", 0.0093, 0.03, -0.003, 0, "Percentage of children who have had three doses of the 6-in-1 vaccine (diphtheria, tetanus, whooping cough, polio, Hib, hepatitis B) by their first birthday."),
    S("vacc_mmr1_2y", PH, "prevention", "proportion", "%", 1, "fy", 0.0095, 0.035, -0.003, 0, "Percentage of children who have had one dose of the MMR (measles, mumps, rubella) vaccine by their second birthday."),
    S("vacc_mmr2_5y", PH, "prevention", "proportion", "%", 1, "fy", 0.0100, 0.05, -0.003, 0, "Percentage of children who have had both doses of the MMR vaccine by their fifth birthday."),
    S("deaths_usual_residence_65plus", PH, "healthy_lives", "proportion", "%", 1, "cal", 0.0071, 0.06, 0.005, 0, "Percentage of deaths of people aged 65+ that happened where they usually lived (their home or care home) rather than in hospital."),
    S("imd_score", PH, "context", "score", "score", 1, "cal", 0, 0, 0, 0, "Average deprivation score (English Indices of Deprivation 2025) of the neighbourhoods in the area; higher means more deprived. Context, not a measure of performance."),
    S("registered_population", PH, "context", "count", "people", 0, "cal", 0, 0, 0, 0, "Number of people (all ages) registered with a GP practice in the area."),
    S("ae_12hr_from_arrival", UEC, "urgent_care", "proportion", "%", 1, "monthly", 0.026, 0.35, -0.05, 0.25, "Percentage of patients attending a major (type 1) A&E who spent more than 12 hours in the department from arrival."),
    S("amb_cat2_mean", UEC, "urgent_care", "mean", "minutes", 1, "monthly", 0, 0.15, -0.08, 0.20, "Average time an ambulance took to reach Category 2 (emergency, such as a suspected stroke or heart attack) calls, in minutes."),
    S("amb_cat1_mean", UEC, "urgent_care", "mean", "minutes", 1, "monthly", 0, 0.08, -0.02, 0.06, "Average time an ambulance took to reach Category 1 (life-threatening) calls, in minutes."),
    S("nctr_daily", UEC, "urgent_care", "count", "patients per day", 0, "monthly", 0, 0.20, 0, 0.05, "Average number of patients each day who no longer needed to be in hospital but had not yet been discharged."),
    S("emergency_readmissions_30d", UEC, "urgent_care", "proportion", "%", 1, "fy", 0.08, 0.07, 0, 0, "Percentage of patients discharged from hospital who were admitted again as an emergency within 30 days (adjusted for the mix of patients)."),
    S("rtt_18wk", PCC, "planned_care", "proportion", "%", 1, "monthly", 0.117, 0.07, 0.02, 0, "Percentage of people waiting to start planned hospital treatment who had been waiting less than 18 weeks since referral."),
    S("rtt_52wk_share", PCC, "planned_care", "proportion", "%", 1, "monthly", 0.117, 0.35, -0.15, 0, "Percentage of people waiting to start planned hospital treatment who had been waiting more than a year (52 weeks)."),
    S("rtt_waiting_list", PCC, "planned_care", "count", "pathways", 0, "monthly", 0, 0.10, -0.01, 0, "Number of people-pathways on the waiting list for planned hospital treatment at the end of the month."),
    S("diag_6wk", PCC, "planned_care", "proportion", "%", 1, "monthly", 0.025, 0.30, -0.08, 0, "Percentage of people waiting for one of 15 key diagnostic tests (such as MRI, CT or endoscopy) who had waited six weeks or more."),
    S("cancer_fds_28d", PCC, "cancer", "proportion", "%", 1, "monthly", 0.0044, 0.05, 0.02, 0, "Percentage of people urgently referred for suspected cancer who were told they have cancer, or that it was ruled out, within 28 days."),
    S("cancer_62d", PCC, "cancer", "proportion", "%", 1, "monthly", 0.00027, 0.06, 0.03, 0, "Percentage of people with cancer who started their first treatment within 62 days of an urgent referral."),
    S("cancer_early_stage", PCC, "cancer", "proportion", "%", 1, "quarterly", 0.0012, 0.05, 0.01, 0, "Percentage of cancers with a known stage that were diagnosed at an early stage (1 or 2), when treatment is more likely to work."),
    S("gp_appts_within_2wk", PCMH, "primary_care", "proportion", "%", 1, "monthly", 0.47, 0.04, 0.005, 0, "Percentage of attended GP practice appointments that took place within two weeks of being booked."),
    S("gp_appts_same_day", PCMH, "primary_care", "proportion", "%", 1, "monthly", 0.47, 0.10, 0, 0, "Percentage of attended GP practice appointments that took place on the same day they were booked."),
    S("talking_therapies_recovery", PCMH, "mental_health", "proportion", "%", 1, "monthly", 0.0008, 0.07, 0.01, 0, "Percentage of people finishing a course of NHS Talking Therapies (who started with a clinical level of anxiety or depression) who reliably recovered."),
    S("talking_therapies_6wk", PCMH, "mental_health", "proportion", "%", 1, "monthly", 0.0008, 0.04, 0, 0, "Percentage of people finishing NHS Talking Therapies who had waited less than six weeks to start treatment."),
    S("cyp_mh_access", PCMH, "mental_health", "count", "people", 0, "monthly", 0, 0.12, 0.04, 0, "Number of children and young people (aged 0 to 25) who had at least one contact with NHS-funded mental health services in the 12 months to the end of the month."),
    S("dementia_diagnosis_rate", PCMH, "mental_health", "proportion", "%", 1, "monthly", 0.011, 0.07, 0.01, 0, "People aged 65+ with a recorded dementia diagnosis as a percentage of the number expected to have dementia."),
    S("selfharm_admissions_10_24", PCMH, "mental_health", "directly_standardised_rate", "per 100,000", 1, "fy", 0.17, 0.25, -0.01, 0, "Emergency hospital admissions for self-harm of people aged 10 to 24, per 100,000 people of that age, age-adjusted."),
]


def main():
    """Load areas and reference facts, then write every indicator package."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", default=str(ROOT / ".." / "shared" / "reference"))
    ref = Path(parser.parse_args().reference)
    areas = read_csv(OUT / "areas" / "areas.csv")
    successions = read_csv(OUT / "areas" / "successions.csv")
    icbs22 = read_csv(ref / "icbs-2022.csv")
    catalogue = {r["id"]: r for r in read_csv(ref / "indicator-catalogue.csv")}
    base = area_base(areas, successions, icbs22)
    for pkg, title in PACKAGES.items():
        specs = [s for s in SPECS if s.pkg == pkg]
        indicators = [indicator_row(s, catalogue[s.id]) for s in specs]
        values = []
        for s in specs:
            if s.id in REAL:
                values += real_values(s, areas, icbs22)
            else:
                values += demo_values(s, centre(s, catalogue[s.id]), polarity(catalogue[s.id]), areas, base)
        values.sort(key=lambda r: (r["indicator_id"], r["area_code"], r["period_start"]))
        folder = OUT / pkg
        folder.mkdir(parents=True, exist_ok=True)
        write_csv(folder / "indicators.csv", IND_FIELDS, indicators)
        write_csv(folder / "values.csv", VAL_FIELDS, values)
        write_json(folder / "datapackage.json", descriptor(pkg, title, specs, catalogue))
        print(f"{pkg}: {len(indicators)} indicators, {len(values)} values")


def read_csv(path):
    """Read a CSV file into a list of dicts."""
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def area_base(areas, successions, icbs22):
    """Population (2025), deprivation z-score and parent region for every ICB code."""
    by23 = {r["ons_code_2023"]: r for r in icbs22}
    base = {}
    for code, r in by23.items():
        base[code] = {"pop": int(r["registered_population_2025"]), "imd": float(r["imd_2025_score"])}
    for r in icbs22:  # the July 2022 codes share their board's figures
        base[r["ons_code_2022"]] = base[r["ons_code_2023"]]
    imd = np.array([base[c]["imd"] for c in sorted(by23)])
    for c in sorted(by23):
        base[c]["imdz"] = (base[c]["imd"] - imd.mean()) / imd.std()
    n_succ = {}
    for s in successions:
        if s["date"] == "2026-04-01":
            n_succ[s["predecessor_code"]] = n_succ.get(s["predecessor_code"], 0) + 1
    for s in successions:  # 2026 boards: predecessors' people, split boards shared equally
        if s["date"] == "2026-04-01":
            b = base.setdefault(s["successor_code"], {"parts": []})
            b["parts"].append((s["predecessor_code"], 1 / n_succ[s["predecessor_code"]]))
    for b in base.values():
        if "parts" in b:
            b["pop"] = round(sum(base[p]["pop"] * w for p, w in b["parts"]))
    for a in areas:
        if a["code"] in base:
            base[a["code"]]["parent"] = a["parent_code"]
    return base


def centre(spec, cat):
    """England centre: the catalogue's England value (mm:ss, millions, commas) or a chosen one."""
    if spec.id in CENTRES:
        return CENTRES[spec.id]
    text = cat["england_value"]
    m = re.match(r"\s*(\d+):(\d\d)", text)
    if m:
        return int(m.group(1)) + int(m.group(2)) / 60
    m = re.search(r"[\d,]*\d(\.\d+)?", text)
    number = float(m.group(0).replace(",", ""))
    return number * 1e6 if "million" in text else number


def periods(kind):
    """(label, start, end) for each period of a kind, oldest first."""
    out = []
    if kind == "monthly":
        start = date(2022, 7, 1)
        while start <= date(2026, 9, 1):
            out.append((start.strftime("%b %Y"), start, add_months(start, 1) - timedelta(days=1)))
            start = add_months(start, 1)
    elif kind == "quarterly":
        for fy in range(2022, 2027):
            for q in range(1, 5):
                start = date(fy + (q == 4), [4, 7, 10, 1][q - 1], 1)
                if date(2022, 7, 1) <= start <= date(2026, 7, 1):
                    out.append((f"{fy}/{(fy + 1) % 100:02d} Q{q}", start, add_months(start, 3) - timedelta(days=1)))
    elif kind == "fy":
        out = [(f"{y}/{(y + 1) % 100:02d}", date(y, 4, 1), date(y + 1, 3, 31)) for y in range(2022, 2026)]
    elif kind == "cal":
        out = [(str(y), date(y, 1, 1), date(y, 12, 31)) for y in range(2022, 2026)]
    elif kind == "three_year":
        out = [(f"{y} - {(y + 2) % 100:02d}", date(y, 1, 1), date(y + 2, 12, 31)) for y in range(2020, 2023)]
    return out


def icbs_on(areas, day):
    """ICB codes valid on a given day."""
    d = day.isoformat()
    return sorted(a["code"] for a in areas if a["type"] == "icb" and a["valid_from"] <= d
                  and (not a["valid_to"] or a["valid_to"] >= d))


def demo_values(spec, c, polarity, areas, base):
    """Generated values: ICBs per period, then regions and England aggregated from them."""
    rng = np.random.default_rng(zlib.crc32(spec.id.encode()))
    effect = area_effects(polarity, spec.domain, rng, base)
    mult, rows = MULT[spec.vtype], []
    per_head = c / sum(base[a]["pop"] for a in icbs_on(areas, date(2025, 1, 1)))
    plist = periods(spec.kind)
    for i, (label, start, end) in enumerate(plist):
        mid = start + (end - start) / 2
        t = (mid - T0).days / 365.25
        season = 1 + spec.season * math.cos(2 * math.pi * (mid.month - 1) / 12)
        stats = {}
        for code in icbs_on(areas, end):
            pop, e = base[code]["pop"], effect[code]
            eps, eps2 = rng.standard_normal(2)
            if spec.vtype == "life_expectancy":
                level = c + spec.spread * e + spec.trend * t + 0.15 * eps
            else:
                level = c * (1 + spec.trend * t) * (1 + spec.spread * e) * season * (1 + 0.02 * eps)
            if spec.vtype in ("proportion", "crude_rate", "directly_standardised_rate"):
                den = max(1, round(pop * spec.dph * (1 + 0.03 * eps2)))
                share = level / mult if spec.vtype != "proportion" else min(max(level / mult, 0.001), 0.999)
                stats[code] = {"num": round(den * share), "den": den, "pop": pop}
            elif spec.vtype == "count":
                stats[code] = {"value": round(pop * per_head * level / c), "pop": pop}
            else:
                stats[code] = {"value": level, "pop": pop}
        groups = {ENGLAND: list(stats)}
        for code in stats:
            groups.setdefault(base[code]["parent"], []).append(code)
        for code, members in groups.items():
            if code not in stats:
                stats[code] = aggregate(spec.vtype, [stats[m] for m in members])
        status = "provisional" if i == len(plist) - 1 and spec.kind in ("monthly", "quarterly") else "final"
        revised = rng.choice(sorted(k for k in stats if k.startswith("E54"))) if i == len(plist) - 3 else None
        for code in sorted(stats):
            row = value_row(spec, label, start, end, stats[code], status)
            if code == revised and spec.kind == "monthly":
                row.update(status="revised", note="Revised after first publication (illustrative)")
            rows.append(row | {"area_code": code})
    if spec.id == "infant_mortality":
        suppress_one(rows, base)
    return rows


def area_effects(polarity, domain, rng, base):
    """Persistent standardised area effects: part deprivation, part own; 2026 boards inherit."""
    codes = sorted(c for c, b in base.items() if "imdz" in b and c not in ("E54000052", "E54000053"))
    own = rng.standard_normal(len(codes))
    rho = 0.7 if domain in ("healthy_lives", "prevention", "mental_health") else 0.3
    sign = -1 if polarity == "high_is_good" else 1  # deprived areas fare worse
    z = {c: rho * sign * base[c]["imdz"] + math.sqrt(1 - rho ** 2) * o for c, o in zip(codes, own)}
    mean = sum(z[c] * base[c]["pop"] for c in codes) / sum(base[c]["pop"] for c in codes)
    z = {c: v - mean for c, v in z.items()}
    z["E54000052"], z["E54000053"] = z["E54000063"], z["E54000064"]
    for c, b in base.items():
        if "parts" in b:
            w = [(z[p], base[p]["pop"] * s) for p, s in b["parts"]]
            z[c] = sum(v * p for v, p in w) / sum(p for _, p in w)
    return z


def aggregate(vtype, members):
    """Regional/England statistic from its ICBs: summed counts or population-weighted means."""
    pop = sum(m["pop"] for m in members)
    if "num" in members[0]:
        return {"num": sum(m["num"] for m in members), "den": sum(m["den"] for m in members), "pop": pop}
    if vtype == "count":
        return {"value": sum(m["value"] for m in members), "pop": pop}
    return {"value": sum(m["value"] * m["pop"] for m in members) / pop, "pop": pop}


def value_row(spec, label, start, end, st, status, note=""):
    """One values.csv row (without area_code) with the interval method of the value type."""
    mult, lo, hi, num, den = MULT[spec.vtype], None, None, st.get("num"), st.get("den")
    if num is not None:
        value = num / den * mult
        if spec.vtype == "proportion":
            lo, hi = (x * mult for x in wilson(num, den))
        else:
            lo, hi = (x / den * mult for x in byar(num))
    else:
        value = st["value"]
        if spec.vtype == "life_expectancy":
            se = 0.25 * math.sqrt(1e6 / st["pop"])
            lo, hi = value - Z95 * se, value + Z95 * se
    return {"indicator_id": spec.id, "period": label, "period_start": start.isoformat(),
            "period_end": end.isoformat(), "value": fmt(value), "lower_ci": fmt(lo),
            "upper_ci": fmt(hi), "numerator": fmt(num), "denominator": fmt(den),
            "status": status, "note": note}


def suppress_one(rows, base):
    """Suppress the smallest board's earliest infant mortality value (disclosure-control example)."""
    icb_rows = [r for r in rows if r["area_code"].startswith("E54")]
    first = min(r["period_start"] for r in icb_rows)
    row = min((r for r in icb_rows if r["period_start"] == first), key=lambda r: base[r["area_code"]]["pop"])
    row.update(value="", lower_ci="", upper_ci="", numerator="", denominator="", status="suppressed",
               note="Suppressed: small numbers (illustrative example of disclosure control); "
                    "region and England figures still include these deaths")


def wilson(n, d):
    """Wilson score 95% interval for a proportion n/d (as fractions)."""
    p = n / d
    a, b = 2 * n + Z95 ** 2, Z95 * math.sqrt(Z95 ** 2 + 4 * n * (1 - p))
    return (a - b) / (2 * (d + Z95 ** 2)), (a + b) / (2 * (d + Z95 ** 2))


def byar(o):
    """95% limits for a Poisson count: Byar's method, exact Poisson below 10 events."""
    if o < 10:
        return exact_poisson(o)
    lo = o * (1 - 1 / (9 * o) - Z95 / (3 * math.sqrt(o))) ** 3
    hi = (o + 1) * (1 - 1 / (9 * (o + 1)) + Z95 / (3 * math.sqrt(o + 1))) ** 3
    return lo, hi


def exact_poisson(o):
    """Exact Poisson 95% limits for a small count, by bisection on the Poisson CDF."""
    def cdf(k, mu):
        return sum(math.exp(-mu) * mu ** i / math.factorial(i) for i in range(k + 1))

    def solve(k, target):  # the CDF falls as mu rises: find mu with P(X <= k) = target
        lo, hi = 0.0, 100.0
        for _ in range(100):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if cdf(k, mid) > target else (lo, mid)
        return (lo + hi) / 2
    lower = 0.0 if o == 0 else solve(o - 1, 0.975)  # P(X >= o) = 0.025
    upper = solve(o, 0.025)  # P(X <= o) = 0.025
    return lower, upper


def add_months(d, n):
    """First day of the month n months after d's month."""
    m = d.month - 1 + n
    return date(d.year + m // 12, m % 12 + 1, 1)


def polarity(cat):
    """Contract polarity from the catalogue wording."""
    p = cat["polarity"]
    return "high_is_good" if p.startswith("higher") else "low_is_good" if p.startswith("lower") else "no_judgement"


def real_values(spec, areas, icbs22):
    """Real values from the OHID Fingertips extract; regions and England summed where additive."""
    parent = {a["code"]: a["parent_code"] for a in areas}
    rows = []
    if spec.id == "registered_population":
        items = [(str(y), date(y, 1, 1), date(y, 12, 31), f"registered_population_{y}", None) for y in (2023, 2024, 2025)]
    elif spec.id == "diabetes_qof_prevalence":
        items = [("2023/24", date(2023, 4, 1), date(2024, 3, 31), "registered_population_2024", "qof_diabetes_register_2023_24"),
                 ("2024/25", date(2024, 4, 1), date(2025, 3, 31), "registered_population_2025", "qof_diabetes_register_2024_25")]
    else:
        items = [("2025", date(2025, 1, 1), date(2025, 12, 31), "imd_2025_score", None)]
    for label, start, end, col, num_col in items:
        stats = {}
        for r in icbs22:
            code = r["ons_code_2023"]
            if num_col:
                stats[code] = {"num": int(r[num_col]), "den": int(r[col])}
            else:
                stats[code] = {"value": int(r[col]) if spec.vtype == "count" else float(r[col])}
        if spec.id != "imd_score":  # no real England or region deprivation score in the extract
            groups = {ENGLAND: list(stats)}
            for code in list(stats):
                groups.setdefault(parent[code], []).append(code)
            for code, members in groups.items():
                key = ("num", "den") if num_col else ("value",)
                stats[code] = {k: sum(stats[m][k] for m in members) for k in key}
        for code in sorted(stats):
            rows.append(value_row(spec, label, start, end, stats[code], "final") | {"area_code": code})
    return rows


def indicator_row(spec, cat):
    """One indicators.csv row from the spec and its catalogue entry."""
    label = f"{cat['target']}. Set by: {SETTERS[spec.id]}" if cat["target"] else ""
    title = cat["title"]
    if spec.id == "diabetes_qof_prevalence":
        title = "Diabetes: people on the QOF diabetes register as a % of all registered patients"
    return {"id": spec.id, "title": title, "short_title": SHORT_TITLES[spec.id], "domain": spec.domain, "unit": spec.unit,
            "polarity": polarity(cat), "value_type": spec.vtype, "multiplier": MULT[spec.vtype],
            "decimals": spec.dec, "definition": spec.definition, "source": cat["data_source_publication"],
            "frequency": FREQ[spec.kind], "target": TARGETS.get(spec.id, ""), "target_label": label,
            "illustrative": "false" if spec.id in REAL else "true",
            "fingertips_id": cat["fingertips_indicator_id"], "keywords": KEYWORDS[spec.id]}


def fmt(x):
    """Fixed-point text: integers plain, floats to at most 4 dp, None empty."""
    if x is None:
        return ""
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return ("%.4f" % x).rstrip("0").rstrip(".")


SHORT_TITLES = {  # at most 32 characters: chart panels and tight tables
    "rtt_18wk": "Waiting under 18 weeks", "rtt_52wk_share": "Waiting over 52 weeks",
    "rtt_waiting_list": "Waiting list size", "diag_6wk": "Diagnostic test wait 6+ weeks",
    "cancer_fds_28d": "Cancer diagnosis within 28 days", "cancer_62d": "Cancer treatment within 62 days",
    "cancer_early_stage": "Cancers found at stage 1 or 2", "le_birth_male": "Life expectancy (male)",
    "le_birth_female": "Life expectancy (female)", "hle_birth_male": "Healthy life expectancy (male)",
    "hle_birth_female": "Healthy life expectancy (female)", "u75_cvd_mortality": "Under-75 deaths: circulatory",
    "u75_cancer_mortality": "Under-75 deaths: cancer", "u75_cvd_preventable_mortality": "Under-75 CVD deaths preventable",
    "infant_mortality": "Infant mortality", "smoking_prevalence_adults": "Adults who smoke",
    "obesity_adults": "Adults living with obesity", "overweight_obese_adults": "Adults overweight or obese",
    "obesity_year6": "Obesity at age 10-11 (Year 6)", "diabetes_qof_prevalence": "Diabetes register (% patients)",
    "hypertension_treated_to_target": "Blood pressure treated to target", "suicide_rate": "Suicide rate",
    "vacc_6in1_12m": "6-in-1 vaccine by 12 months", "vacc_mmr1_2y": "MMR first dose by age 2",
    "vacc_mmr2_5y": "MMR two doses by age 5", "deaths_usual_residence_65plus": "Dying at home (65+)",
    "imd_score": "Deprivation score (IMD 2025)", "registered_population": "Registered population",
    "gp_appts_within_2wk": "GP appointment within 2 weeks", "gp_appts_same_day": "GP appointment same day",
    "talking_therapies_recovery": "Talking therapies recovery", "talking_therapies_6wk": "Talking therapies: wait <6 wks",
    "cyp_mh_access": "Young people: mental health", "dementia_diagnosis_rate": "Dementia diagnosis rate",
    "selfharm_admissions_10_24": "Self-harm admissions (10-24)",
    "ae_12hr_from_arrival": "A&E 12+ hours from arrival", "amb_cat2_mean": "Ambulance: Category 2 response",
    "amb_cat1_mean": "Ambulance: Category 1 response", "nctr_daily": "Delayed discharges (daily)",
    "emergency_readmissions_30d": "Readmissions within 30 days",
}
assert all(len(t) <= 32 for t in SHORT_TITLES.values())

KEYWORDS = {  # the words people search with, when the title does not use them (the site's search indexes them)
    "rtt_18wk": "waiting times; waiting list; referral to treatment; RTT; hospital waits; operations",
    "rtt_52wk_share": "waiting times; long waits; waiting list; referral to treatment; RTT; operations",
    "rtt_waiting_list": "waiting times; waiting list; referral to treatment; RTT; backlog",
    "diag_6wk": "waiting times; diagnostics; scans; tests; DM01; MRI; CT",
    "cancer_fds_28d": "cancer waiting times; faster diagnosis standard; FDS; urgent referral",
    "cancer_62d": "cancer waiting times; cancer treatment; 62-day standard",
    "cancer_early_stage": "cancer; early diagnosis; screening; staging",
    "le_birth_male": "life expectancy; how long people live; men", "le_birth_female": "life expectancy; women",
    "hle_birth_male": "healthy life expectancy; years in good health; men",
    "hle_birth_female": "healthy life expectancy; years in good health; women",
    "u75_cvd_mortality": "premature deaths; heart disease; stroke; cardiovascular",
    "u75_cancer_mortality": "premature deaths; cancer deaths",
    "u75_cvd_preventable_mortality": "premature deaths; preventable deaths; heart disease; stroke",
    "infant_mortality": "babies; infant deaths; maternity", "smoking_prevalence_adults": "smoking; tobacco",
    "obesity_adults": "obesity; weight; BMI", "overweight_obese_adults": "obesity; overweight; weight; BMI",
    "obesity_year6": "childhood obesity; children; weight; school", "diabetes_qof_prevalence": "diabetes; QOF",
    "hypertension_treated_to_target": "high blood pressure; hypertension; heart disease; QOF",
    "suicide_rate": "suicide; mental health", "vacc_6in1_12m": "vaccination; immunisation; jabs; babies",
    "vacc_mmr1_2y": "vaccination; immunisation; measles; MMR; children",
    "vacc_mmr2_5y": "vaccination; immunisation; measles; MMR; children",
    "deaths_usual_residence_65plus": "end of life; palliative care; dying at home",
    "imd_score": "deprivation; poverty; index of multiple deprivation", "registered_population": "population; GP patients",
    "gp_appts_within_2wk": "GP; doctor; appointments; waiting times; primary care",
    "gp_appts_same_day": "GP; doctor; appointments; primary care",
    "talking_therapies_recovery": "mental health; IAPT; therapy; depression; anxiety",
    "talking_therapies_6wk": "mental health; IAPT; therapy; waiting times",
    "cyp_mh_access": "children; young people; CAMHS; mental health", "dementia_diagnosis_rate": "dementia; memory",
    "selfharm_admissions_10_24": "self-harm; young people; mental health",
    "ae_12hr_from_arrival": "A&E; accident and emergency; emergency department; corridor care; long waits",
    "amb_cat2_mean": "ambulance; response times; 999; heart attack; stroke",
    "amb_cat1_mean": "ambulance; response times; 999; life-threatening",
    "nctr_daily": "delayed discharge; bed blocking; social care; hospital beds",
    "emergency_readmissions_30d": "readmissions; hospital; discharge",
}
assert set(KEYWORDS) == set(SHORT_TITLES)

def descriptor(pkg, title, specs, catalogue):
    """The datapackage.json descriptor of one indicator package."""
    real = [s.id for s in specs if s.id in REAL]
    desc = ("Indicators for England, the seven NHS England regions and Integrated Care Boards. "
            "Values are ILLUSTRATIVE demo values generated by scripts/make_demo.py, not official statistics")
    desc += (f", except {', '.join(real)}, which are real figures from an OHID Fingertips extract." if real else ".")
    sources = [{"title": "Illustrative values generated by scripts/make_demo.py (not official statistics), "
                         "centred on England figures from the publications named in each indicator's source"}]
    if real:
        sources.append({"title": "OHID Fingertips extract: GP registered population 2023-2025, QOF diabetes "
                                 "registers 2023/24 and 2024/25, IMD 2025 average score by ICB (NHS England, "
                                 f"MHCLG via OHID; {OGL_TITLE})",
                        "path": "https://fingertips.phe.org.uk/"})
    sources += [{"title": p} for p in sorted({catalogue[s.id]["data_source_publication"] for s in specs})]
    version, created = VERSIONS.get(pkg, ("1.1.0", CREATED))
    return indicator_package(pkg, title, desc, sources, version=version, created=created, illustrative=True)


if __name__ == "__main__":
    main()
