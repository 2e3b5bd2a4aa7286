"""Import the real published statistics in ../shared/reference/real/ into datapackages/ (run by hand, with the
real files beside the repository; `make real-data`). A publisher redoes it with newer files by pointing REAL at
them.

Each package is written afresh by the project's own importers (`build.py import ...`), then its description says
what was done to the files. The importer's report is printed; any refusal stops the script (exit 1).
"""

from __future__ import annotations

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

PACKAGES = {
    "emergency-admissions-children": {
        "command": ["fingertips", str(REAL / "fingertips-92477-icb-from-edgehealth.csv"),
                    "--id", "emergency_admissions_0_4", "--domain", "urgent_care", "--sex", "Persons",
                    "--age", "0-4 yrs", "--package-title", "Emergency admissions of children (OHID Fingertips)",
                    "--definition", "Emergency hospital admissions of children aged 0 to 4 years, as a rate per "
                    "1,000 children of that age (OHID Fingertips indicator 92477, from Hospital Episode "
                    "Statistics).", "--keywords", "children; emergency admissions; under fives; hospital"],
        "description": (
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
}


def main() -> int:
    for name, spec in PACKAGES.items():
        shutil.rmtree(DATA / name, ignore_errors=True)
        cmd = [sys.executable, str(ROOT / "build.py"), "import", *spec["command"][:2], "--package", name,
               "--data", str(DATA), "--date", CREATED, *spec["command"][2:]]
        if subprocess.run(cmd, cwd=ROOT).returncode != 0:
            print(f"import_real: the import of {name} was refused; nothing more was done", file=sys.stderr)
            return 1
        descriptor_file = DATA / name / "datapackage.json"
        descriptor = json.loads(descriptor_file.read_text(encoding="utf-8"))
        descriptor["description"] = spec["description"]
        descriptor_file.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
