"""Site settings: defaults, then `site.toml`, then command-line flags. Unknown keys are refused."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timezone
from pathlib import Path

from icsite.core.problems import Problem

ROOT = Path(__file__).resolve().parents[2]  # the repository: icsite/core/config.py


@dataclass(frozen=True)
class Config:
    """Everything the build needs to know, resolved to absolute paths."""

    data_dir: Path = ROOT / "datapackages"
    content_dir: Path = ROOT / "content"
    out_dir: Path = ROOT / "site"
    themes_dir: Path = ROOT / "themes"
    theme: str = "default"
    cache_dir: Path = ROOT / ".cache"
    #: Public address of the site, e.g. https://example.github.io/ics-outcomes/ ; only its path matters for links.
    base_url: str = "/"
    title: str = "ICS Outcomes"
    description: str = (
        "How England's Integrated Care Systems perform on one common set of indicators of population health "
        "and delivery of care, published openly so systems can learn from each other."
    )
    publisher: str = "ICS Outcomes project"
    repository_url: str = ""
    #: The date printed as "built on": SOURCE_DATE_EPOCH if set, else the newest data release; never the wall clock.
    build_date: date | None = None
    #: values from fewer events than this are flagged and not compared with England
    min_events: int = 10
    #: which charts get a static image (shown without JavaScript): "all", "first" (each page's first) or "none"
    images: str = "all"
    #: a peer-challenge pack page per ICS (ics/<slug>/pack/)
    packs: bool = True
    #: each pack also as a PDF beside it, made at build time (needs the `pdf` extra: WeasyPrint)
    pdf: bool = False
    debug: bool = False
    quiet: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def base_path(self) -> str:
        """The path part of base_url, with a leading and trailing slash (`/ics-outcomes/`)."""
        path = self.base_url
        if "://" in path:
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        return "/" + path.strip("/") + "/" if path.strip("/") else "/"

    @property
    def project_dir(self) -> Path:
        """The folder of this project (its code), which no build may write into as its site."""
        return ROOT

    @property
    def canonical_root(self) -> str:
        """The site's absolute address ending in "/", when base_url is one (https://...); else ""."""
        return self.base_url.rstrip("/") + "/" if "://" in self.base_url else ""


SETTABLE = {"title", "description", "publisher", "repository_url", "base_url", "theme", "min_events", "images",
            "packs", "pdf"}
SWITCHES = {"packs", "pdf"}  # the settings that are true or false
IMAGE_MODES = ("all", "first", "none")  # the values of `images`


def load_config(settings_file: Path | None = None, **overrides) -> tuple[Config, list[Problem]]:
    """Read `site.toml` (if any) and apply overrides; return the config and any problems."""
    problems: list[Problem] = []
    values: dict = {}
    settings_file = settings_file or ROOT / "site.toml"
    if settings_file.exists():
        try:
            data = tomllib.loads(settings_file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            problems.append(Problem("config-invalid", settings_file.name, message=f"cannot read settings: {exc}",
                                    hint="Check the TOML syntax: key = \"value\" per line."))
            data = {}
        for key, value in data.get("site", data).items():
            if key not in SETTABLE:
                problems.append(Problem("config-unknown-key", settings_file.name, field=key,
                                        message=f"unknown setting '{key}'", expected=", ".join(sorted(SETTABLE)),
                                        hint="Remove it or check its spelling."))
            elif key == "min_events":
                if isinstance(value, int) and value >= 0:
                    values[key] = value
                else:
                    problems.append(Problem("config-invalid", settings_file.name, field=key, found=str(value),
                                            message="min_events must be a whole number", expected="e.g. 10"))
            elif key == "images" and value not in IMAGE_MODES:
                problems.append(Problem("config-invalid", settings_file.name, field=key, found=str(value),
                                        message="images must be all, first or none", expected=" or ".join(IMAGE_MODES)))
            elif key in SWITCHES:
                if isinstance(value, bool):
                    values[key] = value
                else:
                    problems.append(Problem("config-invalid", settings_file.name, field=key, found=str(value),
                                            message=f"{key} must be true or false",
                                            expected="true or false (no quotes)"))
            else:
                values[key] = str(value)
    known = {f.name for f in fields(Config)}
    for key, value in overrides.items():
        if value is None:
            continue
        assert key in known, key
        values[key] = Path(value).resolve() if key.endswith("_dir") else value
    if "build_date" not in values:
        values["build_date"] = build_date_from_env()
    return replace(Config(), **values), problems


def build_date_from_env() -> date | None:
    """SOURCE_DATE_EPOCH if set (reproducible builds); None lets the pipeline use the newest data release."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date()
    return None


THEME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")  # a theme is a folder of the themes folder, not a path


def usage_problem(config: Config) -> str | None:
    """A usage error in the inputs that no build could get past (exit 2, nothing touched), or None. (Whether the
    site may be written to `config.out_dir` is `publish.out_dir_problem`'s to say.)"""
    for what, folder in (("data", config.data_dir), ("content", config.content_dir)):
        if not folder.is_dir():
            return f"the {what} folder {folder} does not exist"
    if not THEME_NAME.match(config.theme):
        return (f"--theme {config.theme!r}: name a theme by its folder in {config.themes_dir} (letters, digits, "
                "'-' and '_'), not by a path")
    theme = config.themes_dir / config.theme
    if not (theme / "templates").is_dir() or not theme.resolve().is_relative_to(config.themes_dir.resolve()):
        return f"there is no theme '{config.theme}' in {config.themes_dir}"
    return None
