#!/usr/bin/env python3
"""Build the ICS Outcomes site: `python build.py` (see --help). Exit 0 built, 1 input problems, 2 usage, 3 a bug."""

from __future__ import annotations

import argparse
import sys
import time
import traceback


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="build.py", description="Validate the data packages and build the static site. "
        "Other commands (each has --help): `build.py serve` (preview with live reload), `build.py release PACKAGE` "
        "(keep a package's current version as a release), `build.py new-page TITLE`, `build.py new-story TITLE` "
        "(an improvement story), `build.py new-indicator-package NAME`, `build.py import fingertips|ae ...`.",
        epilog=EXIT_HELP)
    parser.add_argument("--data", metavar="DIR", help="folder of data packages (default: datapackages/)")
    parser.add_argument("--content", metavar="DIR", help="folder of markdown pages (default: content/)")
    parser.add_argument("--out", metavar="DIR", help="where to write the site (default: site/)")
    parser.add_argument("--themes", metavar="DIR", help="folder of themes (default: themes/)")
    parser.add_argument("--theme", metavar="NAME", help="theme to use (default: default)")
    parser.add_argument("--cache-dir", metavar="DIR",
                        help="where pre-rendered chart images are cached between builds (default: .cache/)")
    parser.add_argument("--base-url", metavar="URL",
                        help="public address or path of the site, e.g. /ics-outcomes/ for GitHub project pages")
    parser.add_argument("--images", choices=["all", "first", "none"],
                        help="which charts get a static image for readers without JavaScript: all (default), first "
                        "(each page's first chart) or none; for very large sites")
    parser.add_argument("--packs", action=argparse.BooleanOptionalAction, default=None,
                        help="a peer-challenge pack page per ICS (default; --no-packs leaves them out)")
    parser.add_argument("--pdf", action=argparse.BooleanOptionalAction, default=None,
                        help="each pack also as a PDF beside it (needs the pdf extra: pip install -e '.[pdf]'); "
                        "default off")
    parser.add_argument("--check", action="store_true", help="validate only: print the report, write nothing")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--force", action="store_true", help="build even if nothing changed since the last build "
                        "into --out (without it, a build whose inputs, settings and code are those of the site "
                        "there, left as published, only says so)")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="report format for --check")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but problems")
    parser.add_argument("--timings", action="store_true", help="also print the seconds spent in each stage")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for unexpected errors")
    return parser.parse_args(argv)


#: what the exit status means (README and --help say the same)
EXIT_BUILT, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_HELP = ("Exit status: 0 built (or valid), 1 the input has problems, 2 usage or configuration error, "
             "3 an internal error (a bug: run again with --debug and report it), 130 interrupted.")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # `--debug` is understood by every command: it shows the traceback of an unexpected error
    debug = "--debug" in argv
    command = SUBCOMMANDS.get(argv[0]) if argv else None
    if command is not None:
        rest = [a for a in argv if a != "--debug"]
        return guarded(lambda: command(rest), debug, f"build.py {argv[0]}")
    args = parse_args(argv)
    return guarded(lambda: run(args), args.debug, "build.py")


def guarded(command, debug: bool, name: str) -> int:
    """Run a command; an interruption or an unexpected error becomes one line and its own exit status.

    Exit 1 is kept for "the input has problems", so a script can tell bad data (1) from a bug (3).
    """
    try:
        return command()
    except KeyboardInterrupt:
        print(f"{name}: interrupted; nothing was published (the previous site is unchanged).", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug, or a fault of the machine: the traceback is for --debug
        if debug:
            traceback.print_exc()
        else:
            text = (str(exc).strip().splitlines() or [""])[0][:300]
            print(f"{name}: internal error: {type(exc).__name__}{': ' + text if text else ''}\n"
                  "Nothing was published (the previous site is unchanged). Run again with --debug to see where it "
                  "happened, and please report it.", file=sys.stderr)
        return EXIT_INTERNAL


def template_location(exc: Exception) -> str:
    """"templates/x.html, line 3: " for the innermost template line an error came from ("" if none is known)."""
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    tb = exc.__traceback__
    while tb is not None:  # Jinja maps rendering frames back to the template's file and line
        if tb.tb_frame.f_code.co_filename.endswith((".html", ".xml", ".txt")):
            filename, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    if not filename:
        return ""
    return f"{filename}, line {line}: " if line else f"{filename}: "


def scaffold(argv: list[str]) -> int:
    from icsite.commands.scaffold import main as scaffold_main

    return scaffold_main(argv)


def import_data(argv: list[str]) -> int:
    from icsite.commands.import_data import main as import_main

    return import_main(argv[1:])


def run(args: argparse.Namespace) -> int:
    from icsite.core.config import load_config, usage_problem
    from icsite.core.problems import BuildFailed, errors, format_report, report_json
    from icsite.publish.folder import NotASite, out_dir_problem, size_warning

    config, config_problems = load_config(
        data_dir=args.data, content_dir=args.content, out_dir=args.out, themes_dir=args.themes, theme=args.theme,
        cache_dir=args.cache_dir, images=args.images, packs=args.packs, pdf=args.pdf,
        base_url=args.base_url, debug=args.debug, quiet=args.quiet)
    if config_problems:
        print(format_report(config_problems), file=sys.stderr)
        return 2
    usage = usage_problem(config) or (None if args.check else out_dir_problem(config))
    if usage:
        print(f"build.py: error: {usage}", file=sys.stderr)
        return 2
    if args.check:
        from icsite.commands.build import check

        problems = check(config)
        print(report_json(problems) if args.format == "json" else format_report(problems), end="")
        return 1 if errors(problems, args.strict) else 0
    fingerprint = None
    if not args.force:  # decided before the build's libraries (pandas, altair: seconds) are imported
        from icsite.commands.unchanged import report_unchanged, up_to_date

        started = time.perf_counter()
        fingerprint, last = up_to_date(config)
        if last is not None:
            return report_unchanged(last, args, time.perf_counter() - started)
    from icsite.commands.build import build
    from jinja2 import TemplateError

    try:
        summary = build(config, strict=args.strict, fingerprint=fingerprint)
    except NotASite as refused:  # the folder changed since out_dir_problem looked at it
        print(f"build.py: error: {refused}", file=sys.stderr)
        return EXIT_USAGE
    except TemplateError as exc:  # the theme is an input too: a template that fails is its problem, located
        if args.debug:
            traceback.print_exc()
        print(f"build.py: the theme has a problem: {template_location(exc)}{exc.message or type(exc).__name__}\n"
              "Nothing was written; the previous site is unchanged.", file=sys.stderr)
        return EXIT_PROBLEMS
    except BuildFailed as failed:
        print(format_report(failed.problems), file=sys.stderr, end="")
        print("Nothing was written; the previous site is unchanged.", file=sys.stderr)
        return 1
    if summary.warnings and not args.quiet:
        print(format_report(summary.warnings), file=sys.stderr, end="")
    if not args.quiet:
        print(summary.line())
    if too_big := size_warning(summary.listing):  # not a problem with the data: the publisher's host may refuse it
        print(f"Warning: {too_big}", file=sys.stderr)
    if args.timings:
        print(summary.timings())
    return 0


def serve(argv: list[str]) -> int:
    """`build.py serve`: build, serve on localhost and rebuild on every change (see icsite/serve.py)."""
    parser = argparse.ArgumentParser(prog="build.py serve", description="Build the site in memory, serve it on "
                                     "localhost and rebuild it (reloading the browser) whenever data, content or "
                                     "the theme changes.")
    for flag, meta, text in (("--data", "DIR", "folder of data packages"), ("--content", "DIR", "folder of pages"),
                             ("--themes", "DIR", "folder of themes"), ("--theme", "NAME", "theme to use"),
                             ("--cache-dir", "DIR", "image cache")):
        parser.add_argument(flag, metavar=meta, help=text)
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    args = parser.parse_args(argv[1:])
    from icsite.core.config import load_config, usage_problem
    from icsite.core.problems import format_report
    from icsite.commands.serve import serve as run_server

    config, config_problems = load_config(data_dir=args.data, content_dir=args.content, themes_dir=args.themes,
                                          theme=args.theme, cache_dir=args.cache_dir, base_url="/",
                                          pdf=False)  # a preview makes no PDFs (seconds each)
    if config_problems:
        print(format_report(config_problems), file=sys.stderr)
        return 2
    usage = usage_problem(config)
    if usage:
        print(f"build.py serve: error: {usage}", file=sys.stderr)
        return 2
    return run_server(config, args.port, args.host)


def release(argv: list[str]) -> int:
    """`build.py release PACKAGE`: keep the package's current version as a release, for "what changed" later."""
    parser = argparse.ArgumentParser(
        prog="build.py release", description="Keep the current version of a data package in its releases/ folder, "
        "with the comparisons the site publishes for it, so the next version's release page can say what changed.")
    parser.add_argument("package", help="the package's folder name, e.g. urgent-emergency-care")
    parser.add_argument("--data", metavar="DIR", help="folder of data packages (default: datapackages/)")
    args = parser.parse_args(argv[1:])
    from icsite.core.config import load_config
    from icsite.core.problems import format_report
    from icsite.datasets.releases import ReleaseRefused, keep_release

    config, config_problems = load_config(data_dir=args.data)
    if config_problems:
        print(format_report(config_problems), file=sys.stderr)
        return 2
    if not config.data_dir.is_dir():
        print(f"build.py release: error: the data folder {config.data_dir} does not exist", file=sys.stderr)
        return 2
    try:
        folder = keep_release(config, args.package)
    except ReleaseRefused as refused:
        print(f"build.py release: {refused}", file=sys.stderr, end="" if str(refused).endswith("\n") else "\n")
        return refused.status
    print(f"Kept {args.package} in {folder}.")
    return 0


SUBCOMMANDS = {"serve": serve, "release": release, "new-page": scaffold, "new-story": scaffold,
               "new-indicator-package": scaffold, "import": import_data}


if __name__ == "__main__":
    sys.exit(main())
