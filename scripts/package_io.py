"""Writers shared by the scripts that generate the shipped data packages (deterministic output)."""

import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository, for icsite

from icsite.core.standard import field  # noqa: E402,F401 (re-exported for the scripts)


def write_csv(path, fields, rows):
    """Write rows as UTF-8 CSV with \\n line endings."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def write_json(path, obj):
    """Write JSON with indent 2 and a trailing newline."""
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
