"""Import the real published statistics in ../shared/reference/real/ into datapackages/ (run by hand, with the
real files beside the repository; `make real-data`). A publisher redoes it with newer files by pointing REAL at
them.

Each package is written afresh by the project's own importers (`build.py import ...`), then its description says
what was done to the files. The importer's report is printed; any refusal stops the script (exit 1).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = Path(os.environ.get("REAL", ROOT.parent / "shared" / "reference" / "real"))
DATA = ROOT / "datapackages"
CREATED = "2026-12-02"

AE_MONTHS = ["Monthly-AE-April-2025.csv", "Monthly-AE-May-2025.csv", "Monthly-AE-June-2025-1-1.csv",
             "July-2025-CSV-9jfy4.csv", "August-2025-CSV-g5tyh-v2.0.csv", "September-2025-Csv-7hjr2.csv"]
#: providers with attendances that NHS England's 2025-26 System Mapping does not list: counted in England and their
#: region only (the import refuses otherwise; placing them on a board by their name or address would be a guess)
AE_NOT_MAPPED = ["Y02147", "NQT51", "Y07709"]

PACKAGES = {
    "emergency-admissions-children": {
        "source": "fingertips", "files": [REAL / "fingertips-92477-icb-from-edgehealth.csv"],
        "options": ["--id", "emergency_admissions_0_4", "--domain", "urgent_care", "--sex", "Persons",
                    "--age", "0-4 yrs", "--package-title", "Emergency admissions of children (OHID Fingertips)",
                    "--definition", "Emergency hospital admissions of children aged 0 to 4 years, as a rate per "
                    "1,000 children of that age (OHID Fingertips indicator 92477, from Hospital Episode "
                    "Statistics).", "--keywords", "children; emergency admissions; under fives; hospital"],
        "description": lambda: (
            "Official statistics: OHID Fingertips indicator 92477, emergency admissions of children aged 0 to 4 "
            "(rate per 1,000), for England (2010/11 to 2023/24) and the 42 Integrated Care Boards of 2022 "
            "(2011/12 to 2022/23) "
            "(Office for Health Improvement and Disparities; Open Government Licence v3.0). What was done: the "
            "Fingertips export was imported with build.py import fingertips (scripts/import_real.py); only "
            "Persons aged 0-4 was kept (the export's other sex and age breakdowns and its sub-ICB rows were left "
            "out); values for 2010/11 to 2021/22 are Fingertips' figures for the boards' areas from before the "
            "boards existed (the area registry's figures_from), and are labelled so; the export's interval "
            "columns are empty, so the site computes the 95% and 99.8% intervals from the counts (Byar's "
            "method)."),
    },
    "ae-monthly": {
        "source": "ae", "files": [REAL / "ae" / name for name in AE_MONTHS],
        "options": ["--measure", "4hr", "--measure", "12hr-dta", "--measure", "attendances",
                    "--icb-lookup", str(REAL / "providers-2025-26.csv"), "--no-icb", ",".join(AE_NOT_MAPPED)],
        # what a publisher adds by hand (a re-import keeps it): the standard the 4-hour figures are held to
        "indicators": {"ae_4hr": {
            "target": "78", "target_label": "78% by March 2026 (interim); 95% constitutional standard. Set by: NHS "
                                            "England 2025/26 planning guidance (78%); NHS Constitution (95%)"}},
        "description": lambda: (
            "Official statistics: NHS England, A&E Attendances and Emergency Admissions, the monthly provider-level "
            "CSV files for April to September 2025 (Open Government Licence v3.0), summed to England, the seven NHS "
            "England regions and the 42 Integrated Care Boards of 2022 to 2026. Three indicators: the percentage "
            "of attendances within 4 hours, waits of more than 12 hours from the decision to admit per 1,000 "
            "emergency admissions via A&E, and the number of attendances. What was done: the six files were "
            "imported together with build.py import ae (scripts/import_real.py); each provider was placed on its "
            "board by NHS England's A&E System Mapping for 2025-26, and counts were summed to each area and month "
            "before dividing; each month's TOTAL row agrees with the sum of the providers. Not in that mapping, and "
            "so counted towards England and their region only, in no board: " + not_mapped_text() + ". The boards "
            "these providers serve are therefore without them. Boards formed in April 2026 have no figures here: "
            "the months are before they existed."),
    },
}


def not_mapped_text() -> str:
    """The providers counted in no board, with their attendances summed from the raw files (not typed in)."""
    found: dict[str, list] = {}
    for name in AE_MONTHS:
        with (REAL / "ae" / name).open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                code = row["Org Code"].strip()
                if code in AE_NOT_MAPPED:
                    attendances = sum(int(row[c]) for c in row if c.startswith("A&E attendances"))
                    entry = found.setdefault(code, [row["Org name"].strip(), 0, []])
                    entry[1] += attendances
                    entry[2].append(row["Period"].split("-")[1].title())
    return "; ".join(f"{code} {name} ({n:,} attendances, {months[0]} to {months[-1]} 2025)"
                     for code in AE_NOT_MAPPED for name, n, months in [found[code]])


def main() -> int:
    for name, spec in PACKAGES.items():
        shutil.rmtree(DATA / name, ignore_errors=True)
        cmd = [sys.executable, str(ROOT / "build.py"), "import", spec["source"], *map(str, spec["files"]),
               "--package", name, "--data", str(DATA), "--date", CREATED, *spec["options"]]
        if subprocess.run(cmd, cwd=ROOT).returncode != 0:
            print(f"import_real: the import of {name} was refused; nothing more was done", file=sys.stderr)
            return 1
        descriptor_file = DATA / name / "datapackage.json"
        descriptor = json.loads(descriptor_file.read_text(encoding="utf-8"))
        descriptor["description"] = spec["description"]()
        descriptor_file.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        edit_indicators(DATA / name / "indicators.csv", spec.get("indicators", {}))
    return 0


def edit_indicators(path: Path, edits: dict[str, dict[str, str]]) -> None:
    """Set fields of indicators.csv rows, as a publisher edits the file by hand."""
    if not edits:
        return
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    for row in rows:
        row.update(edits.get(row["id"], {}))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    sys.exit(main())
