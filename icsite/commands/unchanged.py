"""A build whose inputs are those of the site already in --out says so, instead of making the same site again.

Decided in a few hundredths of a second, before the build's libraries (pandas, altair) are imported: a hash of the
inputs (`cache.fingerprint`) against the record the last build kept, and a listing of the output folder against
the one it published. The last build's warnings are reported again, and `--strict` fails on them as it did.
"""

from __future__ import annotations

import sys

from icsite.core import cache
from icsite.core.config import Config
from icsite.core.display import size_text
from icsite.core.problems import Problem, errors, format_report
from icsite.publish import folder


def up_to_date(config: Config) -> tuple[str, dict | None]:
    """The inputs' fingerprint, and what the last build into `config.out_dir` recorded if the site there is still
    the one these inputs make (else None: build it)."""
    fingerprint = cache.fingerprint(config)
    facts = folder.last_build(folder.record_file(config.cache_dir, config.out_dir), config.out_dir, fingerprint)
    if facts is not None:
        try:
            facts["warnings"] = [Problem(**fields) for fields in facts["warnings"]]
            facts["line"] = (f"{facts['pages']} pages, {facts['charts']} charts and {facts['downloads']} downloads, "
                             f"{size_text(folder.site_bytes(facts['files']))}")
        except (KeyError, TypeError):  # a record this version cannot read: build
            return fingerprint, None
    return fingerprint, facts


def report_unchanged(facts: dict, args, seconds: float) -> int:
    """Say what a full build would have said (its warnings, or its failure under --strict); the exit status."""
    warnings = facts["warnings"]
    if errors(warnings, args.strict):
        print(format_report(warnings), file=sys.stderr, end="")
        print("Nothing was written; the previous site is unchanged.", file=sys.stderr)
        return 1
    if warnings and not args.quiet:
        print(format_report(warnings), file=sys.stderr, end="")
    if not args.quiet:
        print(f"Site is up to date: nothing changed since the last build ({facts['line']}); checked in {seconds:.2f} s"
              + (f" ({len(warnings)} warning(s))" if warnings else "") + ". --force builds it again.")
    if too_big := folder.size_warning(facts["files"]):
        print(f"Warning: {too_big}", file=sys.stderr)
    if args.timings:
        print(f"Stages: up-to-date check {seconds:.2f} s.")
    return 0
