"""Improvement stories: markdown pages in content/stories/ whose front matter ties an account of what a system did
to the board and the indicators it aimed to move, and to the periods in which it did (`Story`).

Validated like data (`story_problems`): the board must be an ICB of the registry (by ODS or ONS code), each
indicator an indicator of the data, and `from` and `to` periods of each indicator's data, in order. A story that is
an invented example (`example: true`) says so wherever it is shown; any other must name a source or a contact.
"""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass

import pandas as pd

from icsite.core.problems import Problem
from icsite.inputs.checking import problem, rel
from icsite.inputs.load import ContentPage

FOLDER = "stories"  # content/stories/<name>.md is published at stories/<name>/
NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
LINK = re.compile(r"(https?://|mailto:)\S+$")
SUMMARY_CHARS = 240  # "a one-line summary": it is shown in lists and tables
#: The front matter a story must or may have, and what each holds (for the report when it is missing or wrong).
FIELDS = {"title": "text", "board": "the board's ODS code (e.g. QKS) or ONS code (e.g. E54000032)",
          "indicators": "an indicator id, or a list of them (e.g. [smoking_prevalence])",
          "from": "the first period of the work, as the data writes it (e.g. 2019/20 or Apr 2025)",
          "to": "the last period of the work, as the data writes it", "summary": f"one line of text (at most "
          f"{SUMMARY_CHARS} characters)", "source": "a link (https://... or mailto:...) to the published account",
          "contact": "who to ask: a name, a team or an email address", "example": "true or false",
          "date": "the day the story was published, YYYY-MM-DD (feeds list stories by it)"}
REQUIRED = ("title", "board", "indicators", "from", "to", "summary", "date")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Story:
    """One improvement story, resolved against the data."""

    slug: str  # its address without the trailing slash: "stories/<name>"
    title: str
    board: str  # the board's ONS code (an ODS code in the front matter is resolved to it)
    indicators: tuple[str, ...]
    period_from: str  # period labels as the data writes them
    period_to: str
    summary: str
    source: str  # a link, or ""
    contact: str  # or ""
    example: bool  # an invented example: labelled as one wherever it is shown
    body: str  # markdown
    date: str  # YYYY-MM-DD: when it was published

    @property
    def span(self) -> str:
        """Its period as pages write it: "2019/20 to 2023/24", or the one period."""
        return self.period_from if self.period_from == self.period_to else f"{self.period_from} to {self.period_to}"

    @property
    def label(self) -> str:
        """Its title as lists show it: an example says so first."""
        return f"Example, not a real account: {self.title}" if self.example else self.title


def is_story(page: ContentPage) -> bool:
    """Whether a markdown page is a story (it lies in content/stories/)."""
    return page.slug.startswith(FOLDER + "/")


def text(value) -> str:
    """A front matter value as text ("" for none); YAML reads 2023 as a number and 2024-03-01 as a date."""
    return "" if value is None else str(value).strip()


def indicator_ids(value) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [text(v) for v in items if text(v)]


def board_codes(areas: pd.DataFrame) -> dict[str, str]:
    """Every way a story may name a board (ONS code, ODS code; upper case) -> its ONS code."""
    icbs = areas[areas["type"] == "icb"]
    out = {str(code).upper(): str(code) for code in icbs["code"]}
    if "ods_code" in icbs:
        out.update({str(ods).upper(): str(code) for ods, code in zip(icbs["ods_code"], icbs["code"])
                    if isinstance(ods, str) and ods.strip()})
    return out


def indicator_periods(values: list[pd.DataFrame]) -> dict[str, dict[str, str]]:
    """Each indicator's periods (label -> period_start, as written) in the values tables, in one pass each."""
    out: dict[str, dict[str, str]] = {}
    for table in values:
        if not {"indicator_id", "period", "period_start"} <= set(table.columns):
            continue
        keys = table[["indicator_id", "period", "period_start"]].drop_duplicates(["indicator_id", "period"])
        for ind, period, start in keys.itertuples(index=False, name=None):
            out.setdefault(text(ind), {})[text(period)] = text(start)
    return out


def story_problems(pages: list[ContentPage], root, areas: pd.DataFrame | None, values: list[pd.DataFrame]
                   ) -> list[Problem]:
    """Each story's front matter checked against the registry (`areas`) and the data (`values`, the packages' values
    tables): story-field-invalid, story-board-unknown, story-indicator-unknown, story-period-outside."""
    stories = [p for p in pages if is_story(p) and not p.error]
    if not stories:
        return []
    boards = board_codes(areas) if areas is not None and "code" in areas and "type" in areas else None
    periods = indicator_periods(values)
    out = []
    for page in stories:
        file = rel(page.source, root)
        out += field_problems(page, file)
        if boards is not None:
            out += data_problems(page.meta, file, boards, periods)
    return out


def field_problems(page: ContentPage, file: str) -> list[Problem]:
    """story-field-invalid: the file's name, and each field's presence and kind."""
    meta, out = page.meta, []
    name = page.slug[len(FOLDER) + 1:]
    if not NAME.fullmatch(name):
        out.append(problem("story-field-invalid", file, message=f"a story's file must lie directly in content/"
                           f"{FOLDER}/ and be named in lower-case letters, digits and hyphens", found=name[:80],
                           expected="content/stories/<name>.md"))
    for key in REQUIRED:
        if not text(meta.get(key)) and not (key == "indicators" and indicator_ids(meta.get(key))):
            out.append(problem("story-field-invalid", file, field=key, expected=FIELDS[key], found="nothing",
                               message=f"a story needs '{key}'"))
    for key in ("title", "board", "from", "to", "summary", "source", "contact"):
        if isinstance(meta.get(key), (list, dict, bool)):
            out.append(problem("story-field-invalid", file, field=key, expected=FIELDS[key],
                               found=repr(meta[key])[:80], message=f"the story's '{key}' must be {FIELDS[key]}"))
    summary = text(meta.get("summary"))
    if len(summary) > SUMMARY_CHARS or "\n" in summary:
        out.append(problem("story-field-invalid", file, field="summary", expected=FIELDS["summary"],
                           found=f"{len(summary)} characters", message="the summary must be one short line"))
    source = text(meta.get("source"))
    if source and not LINK.match(source):
        out.append(problem("story-field-invalid", file, field="source", expected=FIELDS["source"], found=source[:80],
                           message="the source must be a web address or an email link"))
    day = text(meta.get("date"))
    if day and not (DAY.match(day) and valid_day(day)):
        out.append(problem("story-field-invalid", file, field="date", expected=FIELDS["date"], found=day[:80],
                           message="the date must be a real day written YYYY-MM-DD"))
    example = meta.get("example")
    if example is not None and not isinstance(example, bool):
        out.append(problem("story-field-invalid", file, field="example", expected="true or false",
                           found=repr(example)[:80], message="'example' must be true or false"))
    if example is not True and not source and not text(meta.get("contact")):
        out.append(problem("story-field-invalid", file, field="source", expected=FIELDS["source"], found="nothing",
                           message="a story that is not an example must say where it comes from: a source link or "
                                   "a contact"))
    return out


def valid_day(day: str) -> bool:
    try:
        datetime.date.fromisoformat(day)
    except ValueError:
        return False
    return True


def data_problems(meta: dict, file: str, boards: dict[str, str], periods: dict[str, dict[str, str]]) -> list[Problem]:
    """story-board-unknown, story-indicator-unknown and story-period-outside."""
    out = []
    board = text(meta.get("board"))
    if board and board.upper() not in boards:
        close = difflib.get_close_matches(board.upper(), boards, n=1)
        out.append(problem("story-board-unknown", file, field="board", expected=FIELDS["board"], found=board[:80],
                           message=f"no integrated care board has the code '{board[:80]}'"
                                   + (f" (did you mean {close[0]}?)" if close else "")))
    known = [i for i in indicator_ids(meta.get("indicators")) if i in periods]
    for ind in indicator_ids(meta.get("indicators")):
        if ind not in periods:
            close = difflib.get_close_matches(ind, periods, n=1)
            out.append(problem("story-indicator-unknown", file, field="indicators", expected="an indicator id of the "
                               "data", found=ind[:80], message=f"no indicator has the id '{ind[:80]}'"
                               + (f" (did you mean {close[0]}?)" if close else "")))
    start, end = text(meta.get("from")), text(meta.get("to"))
    for ind in known:
        mine = periods[ind]
        ordered = sorted(mine, key=lambda p: mine[p])
        span = f"a period of {ind}'s data, {ordered[0]} to {ordered[-1]}"
        for key, given in (("from", start), ("to", end)):
            if given and given not in mine:
                out.append(problem("story-period-outside", file, field=key, expected=span, found=given[:80],
                                   message=f"'{given[:80]}' is not a period of {ind}'s data"))
        if start in mine and end in mine and mine[start] > mine[end]:
            out.append(problem("story-period-outside", file, field="to", expected=f"a period after {start}",
                               found=end, message=f"the story ends ({end}) before it starts ({start})"))
    return out


def read_stories(pages: list[ContentPage], areas: pd.DataFrame) -> list[Story]:
    """The (validated) stories among the pages, by address."""
    boards = board_codes(areas)
    out = []
    for page in pages:
        if not is_story(page) or page.error:
            continue
        m = page.meta
        out.append(Story(slug=page.slug, title=text(m["title"]), board=boards[text(m["board"]).upper()],
                         indicators=tuple(dict.fromkeys(indicator_ids(m["indicators"]))),
                         period_from=text(m["from"]), period_to=text(m["to"]), summary=text(m["summary"]),
                         source=text(m.get("source")), contact=text(m.get("contact")),
                         example=m.get("example") is True, body=page.body, date=text(m["date"])))
    return sorted(out, key=lambda s: s.slug)
