"""`python build.py import ...`: turn published statistics into a data package (see docs/importing.md).

    import fingertips FILE --package NAME [--data DIR] [overrides]
    import fingertips --indicator ID [--indicator ID ...] --package NAME [--data DIR] [overrides]
    import ae FILE [FILE ...] --package NAME [--data DIR] [--id ID] [--icb-lookup FILE ...] [--no-icb ORG_CODE ...]
              [--exclude-booked]

Exit status: 0 imported (or nothing changed), the report printed; 1 the input has problems (the message says which
file, row and column, and what was expected), including an input refused before import (not a regular file, over a
limit, malformed CSV, repeated rows: `importers.common.Refused`); 2 usage. Nothing is written unless the exit status
is 0. `main` takes the arguments after the word "import".
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path

from icsite.core.config import ROOT
from icsite.importers.common import DOMAINS, PACKAGE_NAME, POLARITIES, VALUE_TYPES, InputProblem, read_text

#: flags that give an indicator's metadata instead of inferring it: flag -> Options key
OVERRIDES = {"--id": "id", "--title": "title", "--short-title": "short_title", "--domain": "domain",
             "--unit": "unit", "--polarity": "polarity", "--value-type": "value_type", "--multiplier": "multiplier",
             "--decimals": "decimals", "--definition": "definition", "--frequency": "frequency",
             "--keywords": "keywords", "--sex": "sex", "--age": "age"}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="build.py import", description="Import published statistics as an indicator data package that passes "
        "build.py --check. If the package exists and the values change, its current version is kept as a release "
        "first and the new files get the next minor version.",
        epilog="Exit status: 0 imported (or nothing changed), 1 the input has problems, 2 usage.")
    sub = top.add_subparsers(dest="source", required=True, metavar="{fingertips,ae}")

    ft = sub.add_parser("fingertips", help="an OHID Fingertips CSV export, or indicators fetched from its API",
                        description="Import an OHID Fingertips CSV export (FILE), or fetch indicators from the "
                        "Fingertips API (--indicator). Metadata is inferred (see the report); each flag below "
                        "gives it instead, for every indicator (--polarity low_is_good) or for one "
                        "(--polarity 92443=low_is_good).")
    ft.add_argument("file", nargs="?", metavar="FILE", help="the CSV export")
    ft.add_argument("--indicator", action="append", metavar="ID", help="fetch this Fingertips indicator id "
                    "(repeat for several); needs a connection")
    ft.add_argument("--parent-area-type", type=int, default=15, metavar="ID",
                    help="with --indicator: the parent area type of the ICBs (15 England, the default; 223 NHS "
                    "regions, which also brings the region rows)")
    ft.add_argument("--package-title", metavar="TEXT", help="the title of a new package")
    shown = {"id": "the indicator id (default fingertips_<Indicator ID>)",
             "domain": f"one of {', '.join(DOMAINS)} (default healthy_lives)",
             "unit": "as people read it, e.g. '%%' or 'per 100,000' (default: from the value type and multiplier)",
             "polarity": f"one of {', '.join(POLARITIES)} (default: from the comparisons with England)",
             "value_type": f"one of {', '.join(VALUE_TYPES)} (default: from the values and counts)"}
    for flag, key in OVERRIDES.items():
        ft.add_argument(flag, action="append", dest=key, metavar="[INDICATOR=]VALUE",
                        help=shown.get(key, argparse.SUPPRESS))
    ft.epilog = ("More flags of the same form: --title, --short-title, --definition, --multiplier, --decimals, "
                 "--frequency, --keywords, --sex, --age (which Sex/Age to import when an indicator has several).")

    ae = sub.add_parser("ae", help="NHS England's monthly A&E Attendances and Emergency Admissions CSV",
                        description="Import NHS England's monthly A&E CSVs (one or several months) as indicators "
                        "summed to ICBs, regions and England: the 4-hour indicator unless --measure says otherwise.")
    ae.add_argument("file", metavar="FILE", nargs="+", help="the monthly CSVs")
    ae.add_argument("--measure", action="append", choices=["4hr", "12hr-dta", "attendances"],
                    help="what to publish (repeat for several): 4hr, the percentage of attendances within 4 hours "
                    "(ae_4hr, the default); 12hr-dta, waits over 12 hours from the decision to admit per 1,000 "
                    "emergency admissions via A&E (ae_12hr_dta); attendances, the number of attendances "
                    "(ae_attendances)")
    ae.add_argument("--id", help="the indicator id, with a single --measure (default: the measure's own id)")
    ae.add_argument("--icb-lookup", metavar="FILE", action="append", help="the provider-to-ICB mapping, for a "
                    "file without an ICB Code column: NHS England's A&E 'System Mapping' for the data's financial "
                    "year, saved as a CSV with the columns Org Code and ICB Code, and optionally From and To (the "
                    "months a row applies to). Repeat for several files (say, one a year, each row with its "
                    "months). A provider with attendances that cannot be placed on an ICB that existed in its "
                    "month refuses the import. Without it no ICB values are imported (England and regions only)")
    ae.add_argument("--no-icb", metavar="ORG_CODE", action="append", help="count this provider towards England "
                    "and its region only, in no ICB: for a provider the year's mapping leaves out (repeat, or "
                    "separate codes with commas)")
    ae.add_argument("--exclude-booked", action="store_true", help="leave booked appointments out of both counts")
    for p in (ft, ae):
        p.add_argument("--package", required=True, metavar="NAME", help="the package folder to write, e.g. "
                       "smoking (lower-case letters, digits, - and _)")
        p.add_argument("--data", metavar="DIR", help="folder of data packages (default: datapackages/)")
        p.add_argument("--date", metavar="YYYY-MM-DD", help="the import date written as the package's created date "
                       "(default: today)")
    return top


def options_from(args):
    from icsite.importers.fingertips import Options  # noqa: PLC0415

    overrides = {}
    for key in OVERRIDES.values():
        for given in getattr(args, key) or []:
            match = re.fullmatch(r"(\d+)=(.*)", given, re.S)
            indicator, value = (match[1], match[2]) if match else ("*", given)
            overrides.setdefault(key, {})[indicator] = value
    return Options(overrides=overrides, package_title=args.package_title)


def main(argv: list[str]) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage message
        return exc.code if isinstance(exc.code, int) else 2

    def usage(message: str) -> int:
        print(f"build.py import: error: {message}", file=sys.stderr)
        return 2

    data_dir = Path(args.data).resolve() if args.data else ROOT / "datapackages"
    if not data_dir.is_dir():
        return usage(f"the data folder {data_dir} does not exist")
    if not PACKAGE_NAME.match(args.package) or args.package == "areas":
        return usage(f"--package {args.package}: a package name is lower-case letters, digits, '-', '_' and '.' "
                     "(and not 'areas', the area registry)")
    try:
        today = date.fromisoformat(args.date) if args.date else date.today()
    except ValueError:
        return usage(f"--date {args.date}: expected a date as YYYY-MM-DD")
    try:
        if args.source == "fingertips":
            from icsite.importers import fingertips  # noqa: PLC0415

            if bool(args.file) == bool(args.indicator):
                return usage("give either FILE or --indicator ID (not both)")
            if args.file:
                exports = [(args.file, read_text(Path(args.file)))]
                title = f"OHID Fingertips export {args.file}"
            else:
                exports = fingertips.fetch(args.indicator, parent_area_type=args.parent_area_type)
                plural = "s" if len(args.indicator) > 1 else ""
                title = f"OHID Fingertips API, indicator{plural} {', '.join(args.indicator)}"
            report = fingertips.import_exports(exports, data_dir, args.package, options_from(args), today=today,
                                               title=title)
        else:
            from icsite.importers import nhse_ae  # noqa: PLC0415

            no_icb = [code.strip() for given in args.no_icb or [] for code in given.split(",") if code.strip()]
            bad = next((code for code in no_icb if not re.fullmatch(r"[A-Za-z0-9]{3,8}", code)), None)
            if bad is not None:
                return usage(f"--no-icb {bad}: expected a provider's Org Code (ODS code), such as RJ1 or Y02147")
            report = nhse_ae.import_files([Path(f) for f in args.file], data_dir, args.package,
                                          measures=args.measure or ["4hr"], indicator_id=args.id,
                                          icb_lookup=[Path(f) for f in args.icb_lookup or []], no_icb=no_icb,
                                          exclude_booked=args.exclude_booked, today=today)
    except InputProblem as problem:
        text = str(problem)
        print(text if "\n" in text.strip() else f"build.py import: {text}", file=sys.stderr,
              end="" if text.endswith("\n") else "\n")
        return problem.status
    except Exception as exc:  # an unexpected failure: said plainly, without a traceback
        print(f"build.py import: failed unexpectedly: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(report.render(), end="")
    return 0
