"""`build.py new-page TITLE`, `build.py new-story TITLE` and `build.py new-indicator-package NAME`: valid starting
points to edit.

The new page is a markdown file with its front matter; the new package has the standard's descriptor and schemas
(icsite/standard.py) and one example indicator with values for England and one board, so `build.py --check`
passes at once and the publisher replaces the example with their own rows.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from datetime import date
from pathlib import Path

from icsite.core.config import load_config
from icsite.core.formatting import slugify
from icsite.importers.package import csv_text
from icsite.core.standard import ENGLAND, IND_FIELDS, VAL_FIELDS, indicator_package
from icsite.inputs.domain_checks import collect_tables
from icsite.inputs.load import load
from icsite.inputs.stories import FOLDER, board_codes, indicator_periods

NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


def new_page(title: str, content_dir: Path, nav: bool) -> Path:
    """content/<slug>.md with front matter and a first paragraph to replace."""
    slug = slugify(title)
    if not slug:
        raise ValueError("the title needs at least one letter or digit")
    path = content_dir / f"{slug}.md"
    if path.exists():
        raise FileExistsError(f"{path} already exists")
    text = (f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\ndescription: \"One sentence for search engines "
            f"and link previews.\"\nnav: {'true' if nav else 'false'}\n---\n\nWrite the page here, in markdown: "
            "## for headings, a blank line between paragraphs, [text](../data/) for links.\n")
    content_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def new_indicator_package(name: str, data_dir: Path, board: str, today: date) -> Path:
    """<data>/<name>/ with the standard descriptor, one example indicator and two example values."""
    if not NAME.fullmatch(name):
        raise ValueError(f"'{name}' is not a package name: use lower-case letters, digits and hyphens")
    folder = data_dir / name
    if folder.exists():
        raise FileExistsError(f"{folder} already exists")
    ind_id = name.replace("-", "_") + "_example"
    indicator = {"id": ind_id, "title": "Example: % of people who ... (replace)", "short_title": "Example (replace)",
                 "domain": "prevention", "unit": "%", "polarity": "high_is_good", "value_type": "proportion",
                 "multiplier": "100", "decimals": "1",
                 "definition": "Replace with a plain-English definition: who is counted, out of whom, when.",
                 "source": "Replace with the publication the figures come from", "frequency": "annual",
                 "target": "", "target_label": "", "illustrative": "true", "fingertips_id": "", "keywords": ""}
    year = today.year - 1
    values = [{"indicator_id": ind_id, "area_code": code, "period": str(year), "period_start": f"{year}-01-01",
               "period_end": f"{year}-12-31", "value": value, "lower_ci": "", "upper_ci": "", "numerator": num,
               "denominator": den, "status": "final", "note": "example row: replace"}
              for code, value, num, den in ((ENGLAND, "50", "500000", "1000000"), (board, "45", "4500", "10000"))]
    descriptor = indicator_package(
        name, f"{name.replace('-', ' ').capitalize()} (replace this title)",
        "Replace with what this data set holds, for whom and from where. The example values are illustrative.",
        [{"title": "Replace with the publication(s) the values come from"}], version="0.1.0",
        created=f"{today.isoformat()}T00:00:00Z", illustrative=True)
    folder.mkdir(parents=True)
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
    (folder / "indicators.csv").write_text(csv_text(IND_FIELDS, [indicator]), encoding="utf-8")
    (folder / "values.csv").write_text(csv_text(VAL_FIELDS, values), encoding="utf-8")
    return folder


STORY = """---
title: {title}
board: {board}  # the board's ODS code or ONS code
indicators: [{indicators}]  # the indicators the work aimed to move (ids, as in indicators.csv)
from: {start}  # the first period of the work, as the data writes it
to: {end}  # the last period of the work
summary: "One line: what the system did and what it aimed to change."
source: ""  # a link to the published account (https://...), or leave empty and give a contact
contact: "Replace with who to ask: a team, a name or an email address"
date: {today}  # the day the story is published (YYYY-MM-DD)
---

## What the problem was

What the figures showed, and why the system chose to act.

## What they did

What changed, who was involved, when, and what it cost.

## What happened

What the team believes the work changed, and what else was going on at the time. The page's chart shows the
indicators for the system, its similar systems and England over the period above.

## What others can reuse

What worked, what did not, and what they would do differently.
"""


def new_story(title: str, content_dir: Path, board: str, indicators: list[str], periods: dict[str, dict[str, str]],
              boards: dict[str, str], today: date) -> Path:
    """content/stories/<slug>.md: the story template for `board` and `indicators`, over the periods the data has
    for them all (so `build.py --check` passes once the contact is filled in)."""
    slug = slugify(title)
    if not slug:
        raise ValueError("the title needs at least one letter or digit")
    if board.upper() not in boards:
        raise ValueError(f"no integrated care board has the code '{board}' (use an ODS or ONS code of "
                         "datapackages/areas/areas.csv)")
    unknown = [i for i in indicators if i not in periods]
    if unknown:
        raise ValueError(f"no indicator of the data has the id {', '.join(repr(i) for i in unknown)}")
    shared = set.intersection(*(set(periods[i]) for i in indicators))
    if not shared:
        raise ValueError("the indicators have no period in common: give them stories of their own")
    starts = periods[indicators[0]]
    ordered = sorted(shared, key=lambda p: starts[p])
    path = content_dir / FOLDER / f"{slug}.md"
    if path.exists():
        raise FileExistsError(f"{path} already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(STORY.format(title=json.dumps(title, ensure_ascii=False), board=board,
                                 indicators=", ".join(indicators), start=ordered[0], end=ordered[-1],
                                 today=today.isoformat()), encoding="utf-8")
    return path


def story_inputs(config) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The boards a story may name and each indicator's periods, read from the data folder."""
    sources = load(config)
    tables = collect_tables(sources, config.data_dir.parent)
    if tables.areas is None:
        raise ValueError(f"{config.data_dir} has no area registry (areas/areas.csv)")
    return board_codes(tables.areas), indicator_periods([t.frame for t in tables.values])


def main(argv: list[str]) -> int:
    """`build.py new-page ...` or `build.py new-indicator-package ...` (argv starts with the command)."""
    command, rest = argv[0], argv[1:]
    parser = argparse.ArgumentParser(prog=f"build.py {command}")
    if command == "new-story":
        parser.description = ("Start an improvement story in content/stories/: the template, with the board, the "
                              "indicators and the periods the data has for them filled in.")
        parser.add_argument("title", help='the story\'s title, e.g. "Evening same-day emergency care"')
        parser.add_argument("--board", required=True, help="the board's ODS code (e.g. QKS) or ONS code")
        parser.add_argument("--indicator", required=True, action="append", dest="indicators",
                            help="an indicator the work aimed to move (repeat for more)")
        parser.add_argument("--content", metavar="DIR", help="content folder (default: content/)")
        parser.add_argument("--data", metavar="DIR", help="data folder (default: datapackages/)")
    elif command == "new-page":
        parser.description = "Start a markdown page in the content folder."
        parser.add_argument("title", help='the page title, e.g. "Press and media"')
        parser.add_argument("--content", metavar="DIR", help="content folder (default: content/)")
        parser.add_argument("--nav", action="store_true", help="list the page in the site's navigation")
    else:
        parser.description = "Start an indicator data package with one example indicator that passes --check."
        parser.add_argument("name", help="folder name, e.g. maternity (lower-case letters, digits, hyphens)")
        parser.add_argument("--data", metavar="DIR", help="data folder (default: datapackages/)")
    args = parser.parse_args(rest)
    config, _ = load_config(data_dir=getattr(args, "data", None), content_dir=getattr(args, "content", None))
    folder = config.content_dir if command in ("new-page", "new-story") else config.data_dir
    if not folder.is_dir():
        print(f"build.py {command}: error: the folder {folder} does not exist", file=sys.stderr)
        return 2
    if command == "new-indicator-package" and not (config.data_dir / "areas" / "areas.csv").is_file():
        print(f"build.py {command}: error: {config.data_dir} has no area registry (areas/areas.csv), which the "
              "example value needs: point --data at a data folder that has one", file=sys.stderr)
        return 2
    try:
        if command == "new-story":
            boards, periods = story_inputs(config)
            made = new_story(args.title, config.content_dir, args.board, args.indicators, periods, boards,
                             date.today())
            print(f"Wrote {made}. Write the story and fill in its source or contact, then run `build.py --check`.")
        elif command == "new-page":
            made = new_page(args.title, config.content_dir, args.nav)
            print(f"Wrote {made}. Edit it, then build (or run `build.py serve` to watch it as you write).")
        else:
            board = current_board(config.data_dir)
            made = new_indicator_package(args.name, config.data_dir, board, date.today())
            print(f"Wrote {made}/ (datapackage.json, indicators.csv, values.csv) with one example indicator. "
                  "Replace the example rows, then run `build.py --check`.")
    except (FileExistsError, ValueError) as exc:  # a name that is taken or not a name: a usage error
        print(f"build.py {command}: error: {exc}", file=sys.stderr)
        return 2
    return 0


def current_board(data_dir: Path) -> str:
    """The code of a current board in the area registry, for the example value (first by code)."""
    registry = data_dir / "areas" / "areas.csv"
    with open(registry, newline="", encoding="utf-8", errors="replace") as f:
        codes = [r.get("code") or "" for r in csv.DictReader(f) if r.get("type") == "icb" and not r.get("valid_to")]
    if not any(codes):
        raise ValueError(f"{registry} lists no current board (type 'icb' with no valid_to) for the example value")
    return min(c for c in codes if c)
