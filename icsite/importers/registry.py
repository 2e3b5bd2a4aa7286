"""The area registry of a data folder, and how a source row's area code and name are placed on it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from icsite.importers.common import InputProblem, quoted, read_rows

IN_SCOPE_PREFIXES = ("E92", "E40", "E54")  # England, NHS England regions, ICBs
ONS_CODE = re.compile(r"^[EWSNK]\d{8}$")
ODS_SUFFIX = re.compile(r"\s-\s*([A-Z0-9]{3,5})\s*$")  # "NHS Birmingham and Solihull Integrated Care Board - QHL"


@dataclass(frozen=True)
class Area:
    code: str
    ods: str
    type: str
    name: str
    parent: str
    valid_from: date
    valid_to: date | None
    figures_from: date | None = None  # figures on its boundary are published from this day, before valid_from

    def exists_during(self, start: date, end: date, figures: bool = False) -> bool:
        """True when the area existed for at least part of the period; with `figures`, also when the registry says
        figures on its boundary are published for the period from before it existed (`figures_from`), as
        `build.py --check` accepts."""
        first = min(self.valid_from, self.figures_from) if figures and self.figures_from else self.valid_from
        return end >= first and (self.valid_to is None or start <= self.valid_to)


@dataclass(frozen=True)
class Placement:
    """Where a source row's area goes: a registry code, or why it has none."""

    code: str | None
    reason: str | None = None  # a key of REASONS when code is None
    how: str = ""  # how an indirect match was made, for the report


def ods_suffix(name: str) -> str:
    match = ODS_SUFFIX.search(name or "")
    return match[1] if match else ""


def _norm_name(name: str) -> str:
    text = re.sub(r"[^A-Z0-9]+", " ", (name or "").upper()).strip()
    text = re.sub(r"^NHS ENGLAND\s+", "", text)
    text = re.sub(r"\s+(COMMISSIONING\s+)?REGION$", "", text)
    return text


class Registry:
    """The area registry of a data folder (`areas/areas.csv` and `areas/successions.csv`)."""

    def __init__(self, areas: list[Area], code_changes: dict[str, str]):
        self.areas = {a.code: a for a in areas}
        self.by_ods: dict[str, list[Area]] = {}
        for a in sorted(areas, key=lambda a: a.valid_from):
            if a.ods:
                self.by_ods.setdefault(a.ods.upper(), []).append(a)
        self.next_code = dict(code_changes)  # predecessor -> successor, for `code_change` successions only
        self.regions = {}
        for a in areas:
            if a.type == "region":
                self.regions[_norm_name(a.name)] = a
                self.regions[a.code] = a
                if a.ods:
                    self.regions[a.ods.upper()] = a

    @classmethod
    def load(cls, data_dir: Path) -> "Registry":
        folder = data_dir / "areas"
        areas_file, successions_file = folder / "areas.csv", folder / "successions.csv"
        if not areas_file.is_file():
            raise InputProblem(f"there is no area registry in {data_dir} (expected {areas_file}); importers place "
                               "rows on its areas. Use the project's datapackages/ folder, or copy its areas/ "
                               "package into your data folder.", status=2)
        areas = []
        for row in read_rows(areas_file):
            try:
                areas.append(Area(row["code"].strip(), row.get("ods_code", "").strip(), row["type"].strip(),
                                  row["name"].strip(), row.get("parent_code", "").strip(),
                                  date.fromisoformat(row["valid_from"].strip()),
                                  date.fromisoformat(row["valid_to"].strip()) if row.get("valid_to", "").strip()
                                  else None,
                                  date.fromisoformat(row["figures_from"].strip())
                                  if (row.get("figures_from") or "").strip() else None))
            except (KeyError, ValueError) as exc:
                raise InputProblem(f"{areas_file}: cannot read the area registry ({exc}); run "
                                   "python build.py --check first") from None
        changes = {}
        if successions_file.is_file():
            for row in read_rows(successions_file):
                if row.get("kind", "").strip() == "code_change":
                    changes[row["predecessor_code"].strip()] = row["successor_code"].strip()
        return cls(areas, changes)

    def other_type(self, code: str) -> bool:
        """True for an ONS code of another kind of area (sub-ICB location, local authority...)."""
        code = code.strip().upper()
        return code not in self.areas and bool(ONS_CODE.match(code)) and not code.startswith(IN_SCOPE_PREFIXES)

    def newest_same_board(self, area: Area, start: date, end: date) -> Area:
        """The newest code of the same board (following code changes) that existed during the period."""
        while area.code in self.next_code:
            successor = self.areas.get(self.next_code[area.code])
            if successor is None or not successor.exists_during(start, end):
                break
            area = successor
        return area

    def place(self, code: str, name: str, start: date, end: date) -> Placement:
        """The registry area for a row's ONS code and area name in a period.

        A known code that existed during the period is used, unless the board took a new code (a `code_change`
        succession) that also existed then: the newest code is used. Otherwise the ICB is found by its ODS code
        (the `- QHL` suffix of the area name, else the registry's ODS code for the old code) among the boards
        that existed during the period; several boards linked by code changes count as one (the newest).
        """
        code = (code or "").strip().upper()
        area = self.areas.get(code)
        if area is not None and area.exists_during(start, end):
            newest = self.newest_same_board(area, start, end)
            return Placement(newest.code, how="" if newest is area else f"{code} -> {newest.code} (code change)")
        ods = ods_suffix(name) or (area.ods.upper() if area is not None else "")
        if not ods and code and not ONS_CODE.match(code):
            ods = code  # an ODS code given as the area code
        known_ods = ods in self.by_ods
        candidates = [a for a in self.by_ods.get(ods, []) if a.exists_during(start, end)]
        if candidates:
            chosen = candidates[-1]
            linked = all(self.next_code.get(a.code) == b.code for a, b in zip(candidates, candidates[1:]))
            if len(candidates) == 1 or linked:
                return Placement(chosen.code, how=f"{quoted(code) or '(no code)'} ({quoted(ods)}) -> {chosen.code} "
                                                  "(ODS code)")
            return Placement(None, "area-ambiguous")
        if area is not None and area.exists_during(start, end, figures=True):
            # no code of the board existed then, but figures on its boundary are published for the period
            return Placement(area.code, how="" if area.type == "country" else
                             f"{code}: figures on its boundary from before it existed")
        if area is not None or known_ods:
            return Placement(None, "area-not-valid")
        return Placement(None, "area-unknown")

    def region(self, text: str) -> Area | None:
        """An NHS England region by its name (`NHS ENGLAND MIDLANDS`), ONS code or ODS code."""
        text = (text or "").strip()
        return self.regions.get(text.upper()) or self.regions.get(_norm_name(text))

