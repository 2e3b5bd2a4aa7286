#!/usr/bin/env python3
"""Build the ICS Outcomes site: `python build.py` (see --help). Exit 0 built, 1 input problems, 2 usage."""

from __future__ import annotations

import argparse
import sys
import traceback


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="build.py", description="Validate the data packages and build the static site. "
        "Other commands (each has --help): `build.py serve` (preview with live reload), `build.py release PACKAGE` "
        "(keep a package's current version as a release), `build.py new-page TITLE`, `build.py "
        "new-indicator-package NAME`, `build.py import fingertips|ae ...`.",
        epilog="Exit status: 0 built (or valid), 1 the input has problems, 2 usage or configuration error.")
    parser.add_argument("--data", metavar="DIR", help="folder of data packages (default: datapackages/)")
    parser.add_argument("--content", metavar="DIR", help="folder of markdown pages (default: content/)")
    parser.add_argument("--out", metavar="DIR", help="where to write the site (default: site/)")
    parser.add_argument("--themes", metavar="DIR", help="folder of themes (default: themes/)")
    parser.add_argument("--theme", metavar="NAME", help="theme to use (default: default)")
    parser.add_argument("--cache-dir", metavar="DIR",
                        help="where pre-rendered chart images are cached between builds (default: .cache/)")
    parser.add_argument("--base-url", metavar="URL",
                        help="public address or path of the site, e.g. /ics-outcomes/ for GitHub project pages")
    parser.add_argument("--check", action="store_true", help="validate only: print the report, write nothing")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="report format for --check")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but problems")
    parser.add_argument("--timings", action="store_true", help="also print the seconds spent in each stage")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for unexpected errors")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["release"]:
        return release(argv[1:])
    if argv[:1] == ["serve"]:
        return serve(argv[1:])
    if argv[:1] in (["new-page"], ["new-indicator-package"]):
        from icsite.scaffold import main as scaffold

        return scaffold(argv)
    if argv[:1] == ["import"]:
        from icsite.cli_import import main as import_main

        return import_main(argv[1:])
    args = parse_args(argv)
    try:
        return run(args)
    except KeyboardInterrupt:
        print("Interrupted; the previous site is unchanged.", file=sys.stderr)
        return 130
    except Exception as exc:  # an unexpected failure: say so plainly; the traceback is for --debug
        if args.debug:
            traceback.print_exc()
        else:
            print(f"Build failed unexpectedly: {type(exc).__name__}: {exc}\n"
                  "The previous site is unchanged. Run again with --debug for the details.", file=sys.stderr)
        return 1


def run(args: argparse.Namespace) -> int:
    from icsite.config import load_config
    from icsite.pipeline import build, check
    from icsite.problems import BuildFailed, errors, format_report, report_json

    config, config_problems = load_config(
        data_dir=args.data, content_dir=args.content, out_dir=args.out, themes_dir=args.themes, theme=args.theme,
        cache_dir=args.cache_dir,
        base_url=args.base_url, debug=args.debug, quiet=args.quiet)
    if config_problems:
        print(format_report(config_problems), file=sys.stderr)
        return 2
    usage = usage_problem(config)
    if usage:
        print(f"build.py: error: {usage}", file=sys.stderr)
        return 2
    if args.check:
        problems = check(config)
        print(report_json(problems) if args.format == "json" else format_report(problems), end="")
        return 1 if errors(problems, args.strict) else 0
    try:
        summary = build(config, strict=args.strict)
    except BuildFailed as failed:
        print(format_report(failed.problems), file=sys.stderr, end="")
        print("Nothing was written; the previous site is unchanged.", file=sys.stderr)
        return 1
    if summary.warnings and not args.quiet:
        print(format_report(summary.warnings), file=sys.stderr, end="")
    if not args.quiet:
        print(summary.line())
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
    args = parser.parse_args(argv)
    from icsite.config import load_config
    from icsite.problems import format_report
    from icsite.serve import serve as run_server

    config, config_problems = load_config(data_dir=args.data, content_dir=args.content, themes_dir=args.themes,
                                          theme=args.theme, cache_dir=args.cache_dir, base_url="/")
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
    args = parser.parse_args(argv)
    from icsite.config import load_config
    from icsite.problems import format_report
    from icsite.releases import ReleaseRefused, keep_release

    config, config_problems = load_config(data_dir=args.data)
    if config_problems:
        print(format_report(config_problems), file=sys.stderr)
        return 2
    try:
        folder = keep_release(config, args.package)
    except ReleaseRefused as refused:
        print(f"build.py release: {refused}", file=sys.stderr, end="" if str(refused).endswith("\n") else "\n")
        return refused.status
    print(f"Kept {args.package} in {folder}.")
    return 0


def usage_problem(config) -> str | None:
    """A usage error that no build could get past, or None."""
    if not config.data_dir.is_dir():
        return f"the data folder {config.data_dir} does not exist"
    if not config.content_dir.is_dir():
        return f"the content folder {config.content_dir} does not exist"
    if not (config.themes_dir / config.theme / "templates").is_dir():
        return f"there is no theme '{config.theme}' in {config.themes_dir}"
    return None


if __name__ == "__main__":
    sys.exit(main())
