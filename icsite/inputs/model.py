"""Typed, canonical tables built from validated sources: areas (with validity and successions), indicators, values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from icsite.core.standard import CI_99_8_FIELDS
from icsite.inputs.load import ContentPage, Sources
from icsite.inputs.stories import Story, read_stories

DOMAINS = {  # order is the order a citizen scans the themes in
    "healthy_lives": "Healthy lives",
    "prevention": "Prevention and early diagnosis",
    "urgent_care": "Urgent and emergency care",
    "planned_care": "Waiting for planned treatment",
    "cancer": "Cancer",
    "mental_health": "Mental health",
    "primary_care": "Primary care",
    "context": "Context",
}


@dataclass
class PackageInfo:
    """A data package's metadata, as published."""

    name: str
    title: str
    description: str
    version: str
    created: str
    licenses: list[dict]
    sources: list[dict]
    illustrative: bool
    path: Path
    descriptor: dict
    resource_paths: dict[str, str]  # resource name -> file name inside the package


@dataclass
class SiteData:
    """Everything the later stages need, in canonical form."""

    areas: pd.DataFrame  # index: code
    successions: pd.DataFrame
    indicators: pd.DataFrame  # index: id; column `package`
    values: pd.DataFrame  # one row per (indicator_id, area_code, period)
    packages: list[PackageInfo]
    pages: list[ContentPage] = field(default_factory=list)  # markdown pages, stories among them
    stories: list[Story] = field(default_factory=list)  # the improvement stories of content/stories/, by address
    #: local authority districts and the boards covering them (place_code, place_name, icb_code, vintage, part);
    #: optional in the registry, empty when absent
    places: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["place_code", "place_name", "place_type", "icb_code", "vintage", "part", "population_share"]))

    def of_package(self, values: pd.DataFrame, package: str) -> pd.DataFrame:
        """The rows of a values table (model or computed) whose indicator belongs to `package`."""
        return values[(lookup(values["indicator_id"], self.indicators["package"]) == package).to_numpy()]

    def places_of(self, code: str) -> list[tuple[str, bool]]:
        """(district name, covers only part of it) for the districts a board covers, by name; from the newest map
        that names the board."""
        mine = self.places[self.places["icb_code"] == code]
        if mine.empty:
            return []
        newest = mine[mine["vintage"] == max(mine["vintage"])]
        return sorted((name, str(part).lower() == "true") for name, part in zip(newest["place_name"], newest["part"]))

    def successors(self, code: str) -> list[str]:
        """Codes that took over from `code`."""
        s = self.successions
        return sorted(s.loc[s["predecessor_code"] == code, "successor_code"])

    def predecessors(self, code: str) -> list[str]:
        """Codes that `code` took over from."""
        s = self.successions
        return sorted(s.loc[s["successor_code"] == code, "predecessor_code"])

    @property
    def release_date(self) -> date:
        """The newest `created` date of any package: the default 'built on' date."""
        dates = [p.created[:10] for p in self.packages if p.created]
        return date.fromisoformat(max(dates)) if dates else date(1970, 1, 1)


def build_model(sources: Sources) -> SiteData:
    """Turn the (already validated) sources into canonical tables."""
    packages, indicator_frames, value_frames = [], [], []
    areas = successions = places = None
    for src in sources.packages:
        if src.descriptor is None:  # a folder that is not a package (validation warned about it)
            continue
        info = package_info(src)
        packages.append(info)
        if src.name == "areas":
            areas = src.tables["areas"]
            successions = src.tables.get("successions")
            places = src.tables.get("places")
        else:
            indicator_frames.append(src.tables["indicators"].assign(package=src.name))
            table = src.tables["values"]  # pandas copies on write: the source's table is never changed
            value_frames.append(table.assign(package=pd.Categorical.from_codes(
                np.zeros(len(table), dtype=np.int8), categories=[src.name])))
    assert areas is not None, "validation guarantees an area registry"
    return SiteData(
        areas=canonical_areas(areas),
        successions=successions if successions is not None else pd.DataFrame(
            columns=["predecessor_code", "successor_code", "date", "kind", "note"]),
        indicators=canonical_indicators(pd.concat(indicator_frames, ignore_index=True)) if indicator_frames
        else canonical_indicators(pd.DataFrame(columns=["id", "package"])),
        values=canonical_values(stack(value_frames)) if value_frames
        else canonical_values(pd.DataFrame(columns=["indicator_id", "area_code", "period", "period_start", "period_end"])),
        packages=packages,
        pages=sources.pages,
        stories=read_stories(sources.pages, areas),
        **({"places": places.astype({"vintage": str})} if places is not None else {}),
    )


def package_info(src) -> PackageInfo:
    """Metadata of one package, with defaults for optional properties."""
    d = src.descriptor
    return PackageInfo(
        name=src.name,
        title=d.get("title") or src.name,
        description=d.get("description", ""),
        version=str(d.get("version", "")),
        created=str(d.get("created", "")),
        licenses=list(d.get("licenses", [])),
        sources=list(d.get("sources", [])),
        illustrative=bool(d.get("illustrative", False)),
        path=src.path,
        descriptor=d,
        resource_paths={r["name"]: r["path"] for r in d.get("resources", [])},
    )


def canonical_areas(areas: pd.DataFrame) -> pd.DataFrame:
    """Areas indexed by ONS code with parsed validity dates and a `current` flag."""
    out = areas.copy()
    for col in ("ods_code", "parent_code", "valid_to", "lat", "long", "code_note", "figures_from"):
        if col not in out:
            out[col] = pd.NA
    out["valid_from"] = pd.to_datetime(out["valid_from"], format="%Y-%m-%d")  # validated as YYYY-MM-DD
    out["valid_to"] = pd.to_datetime(out["valid_to"], format="%Y-%m-%d")
    out["figures_from"] = pd.to_datetime(out["figures_from"], format="%Y-%m-%d")
    out["current"] = out["valid_to"].isna()
    return out.set_index("code", drop=False).sort_index()


def canonical_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    """Indicators indexed by id, in theme order then title."""
    out = indicators.copy()
    for col, default in (("target", pd.NA), ("target_label", ""), ("illustrative", "true"), ("decimals", 1),
                         ("multiplier", 1.0), ("polarity", "no_judgement"), ("domain", "context"), ("keywords", "")):
        if col not in out:
            out[col] = default
    if "short_title" not in out:
        out["short_title"] = out["title"]
    out["short_title"] = out["short_title"].fillna(out["title"])
    out["keywords"] = out["keywords"].fillna("").astype(str)
    out["illustrative"] = out["illustrative"].astype(str).str.lower().isin(["true", "1", "yes"])
    out["decimals"] = out["decimals"].fillna(1).astype(int)
    out["domain_order"] = out["domain"].map({d: i for i, d in enumerate(DOMAINS)}).fillna(len(DOMAINS)).astype(int)
    out["domain_title"] = out["domain"].map(DOMAINS).fillna(out["domain"])
    return out.sort_values(["domain_order", "title"]).set_index("id", drop=False)


def canonical_values(values: pd.DataFrame) -> pd.DataFrame:
    """Values with parsed period dates and numbers (the optional 99.8% limits missing where a package has none),
    sorted by indicator, area and time (a table already in that order is not copied)."""
    out = values.copy(deep=False)  # columns are shared until written (pandas copies on write)
    out["period_start"] = by_category(out["period_start"], pd.to_datetime)
    out["period_end"] = by_category(out["period_end"], pd.to_datetime)
    # the published 99.8% limits are optional columns: missing (NaN) in a package without them
    for col in ("value", "lower_ci", "upper_ci", "numerator", "denominator", *CI_99_8_FIELDS):
        out[col] = pd.to_numeric(out[col], errors="coerce") if col in out else float("nan")
    for col in ("status", "note"):
        if col not in out:
            out[col] = pd.NA
    keys = ["indicator_id", "area_code", "period_start", "period_end"]
    order = out[keys].sort_values(keys).index.to_numpy()  # only the keys are sorted; the rows taken once, if at all
    if not (order == np.arange(len(out))).all():
        out = out.take(order)
    return out.reset_index(drop=True)


# --- Text columns as categories ------------------------------------------------------------------------------------
# A values table repeats its text (indicator ids, area codes, periods, statuses) on every one of up to millions of
# rows, so those columns are pandas categories: each distinct text is held once, and the categories are sorted, so
# that sorting or grouping by such a column orders rows as the text itself would.

def categorical(column: pd.Series) -> pd.Series:
    """A column as a category with sorted categories (a categorical column's categories sorted if need be)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = column.cat.categories
        return column if categories.is_monotonic_increasing else column.cat.reorder_categories(categories.sort_values())
    return pd.Series(pd.Categorical(column), index=column.index, name=column.name)


def by_category(column: pd.Series, func) -> pd.Series:
    """`func(column)` for an element-wise `func` (Series -> Series), worked out once per category of a categorical
    column (missing cells get the missing value of the result's type, as `func` gives them)."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return func(column)
    once = func(pd.Series(column.cat.categories))
    return pd.Series(once.array.take(column.cat.codes.to_numpy(), allow_fill=True), index=column.index,
                     name=column.name)


def lookup(keys: pd.Series, table: pd.Series, category: bool = False) -> pd.Series:
    """`keys.map(table)`: the entry of `table` for each key, missing where there is none; for categorical keys
    worked out once per category. With `category`, the result is a category of sorted categories."""
    if not isinstance(keys.dtype, pd.CategoricalDtype):
        return categorical(keys.map(table)) if category else keys.map(table)
    once = pd.Series(table.reindex(keys.cat.categories).array)
    codes = keys.cat.codes.to_numpy()
    if not category:
        return pd.Series(once.array.take(codes, allow_fill=True), index=keys.index, name=keys.name)
    once_codes, uniques = pd.factorize(once, sort=True)
    mapped = np.where(codes < 0, -1, once_codes[codes]) if len(once_codes) else np.full(len(codes), -1)
    out = pd.Categorical.from_codes(mapped, categories=uniques)
    return pd.Series(out, index=keys.index, name=keys.name)


def filled(column: pd.Series, text: str) -> pd.Series:
    """A categorical column with `text` in its missing cells."""
    if text not in column.cat.categories:
        column = column.cat.add_categories([text])
    return categorical(column.fillna(text))


def objects(column: pd.Series) -> np.ndarray:
    """A column as an array of Python objects; a categorical column's rows share one object per category."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return column.to_numpy(dtype=object)
    codes = column.cat.codes.to_numpy()
    return np.append(column.cat.categories.to_numpy(dtype=object), np.nan)[codes]  # code -1 (missing): the NaN


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A (small) table with its categorical columns as plain columns of their categories' type."""
    return frame.astype({c: frame[c].cat.categories.dtype for c in frame.columns
                         if isinstance(frame[c].dtype, pd.CategoricalDtype)})


def stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """`pd.concat(frames, ignore_index=True)`, where a column that is categorical in every frame that has it stays
    categorical, its categories those of all the frames (sorted)."""
    columns = list(dict.fromkeys(c for f in frames for c in f.columns))
    for col in columns:
        having = [f[col] for f in frames if col in f]
        if not all(isinstance(c.dtype, pd.CategoricalDtype) for c in having):
            continue
        categories = pd.Index(sorted(set().union(*(c.cat.categories for c in having))), dtype="str")
        frames = [f.assign(**{col: f[col].cat.set_categories(categories) if col in f else
                              pd.Categorical.from_codes(np.full(len(f), -1, dtype=np.int8), categories=categories)})
                  for f in frames]
    return pd.concat(frames, ignore_index=True)


def board_points(areas: pd.DataFrame, successions: pd.DataFrame, codes) -> dict[str, tuple[float, float]]:
    """code -> (lat, long): the board's own point, else the mean of its predecessors' points (recursively); a board
    with neither is left out (validation warns: area-location-missing)."""
    known = {r.code: (float(r.lat), float(r.long)) for r in areas.itertuples()
             if pd.notna(r.lat) and pd.notna(r.long)}
    preds: dict[str, list[str]] = {}
    for r in successions.sort_values(["successor_code", "predecessor_code"]).itertuples():
        preds.setdefault(r.successor_code, []).append(r.predecessor_code)

    def point(code: str, seen: frozenset) -> tuple[float, float] | None:
        if code in known:
            return known[code]
        pts = [p for p in (point(c, seen | {code}) for c in dict.fromkeys(preds.get(code, [])) if c not in seen)
               if p is not None]
        return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)) if pts else None

    return {code: pt for code in codes if (pt := point(code, frozenset())) is not None}
