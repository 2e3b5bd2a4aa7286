"""What the peer-challenge packs cost a build of the shipped site: without packs, with packs, with packs and PDFs.

    .venv/bin/python bench/pack_bench.py [--runs 3] [--cold-runs 2] [--out bench/results/packs.md]

Each build is a fresh process (`python build.py --out <tmp> --cache-dir <tmp> --timings`), as in build_bench.py, so
every figure includes Python start-up and imports. Cold: an empty cache (every chart image drawn, every PDF laid
out). Warm: `--force` with a warm cache (the pages made again, images and PDFs from the cache when unchanged). The
three kinds of build take turns within each run, so a machine that slows down slows them all. Each row is the median
of its runs, with the fastest and slowest; the PDF step's seconds are the build's own "pdf" stage (`--timings`).
Target (issue 17): packs without PDFs add at most 10% to the build.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = {"no packs": ["--no-packs"], "packs": ["--packs", "--no-pdf"], "packs + PDF": ["--packs", "--pdf"]}
TARGET = 0.10  # packs without PDFs: at most this share added to the build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="warm builds of each kind (default 3)")
    parser.add_argument("--cold-runs", type=int, default=2, help="cold builds of each kind (default 2)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "packs.md",
                        help="where to write the report (default bench/results/packs.md)")
    args = parser.parse_args()
    load = [os.getloadavg()[0]]  # the machine's load: other work slows every build alike
    cold: dict[str, list[tuple[float, dict]]] = {kind: [] for kind in KINDS}
    warm: dict[str, list[tuple[float, dict]]] = {kind: [] for kind in KINDS}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for n in range(args.cold_runs):
            for k, (kind, flags) in enumerate(KINDS.items()):
                cold[kind].append(build(tmp / f"cold-{n}-{k}", tmp / f"cold-cache-{n}-{k}", flags))
        cache = tmp / "cache"
        for kind, flags in KINDS.items():  # warm the cache (and make each kind's site once)
            build(tmp / f"warm-{kind}", cache, flags)
        for _ in range(args.runs):
            for kind, flags in KINDS.items():
                warm[kind].append(build(tmp / f"warm-{kind}", cache, flags, "--force"))
        pdfs = pdf_pages(tmp / "warm-packs + PDF")
    load.append(os.getloadavg()[0])
    report = write_report(cold, warm, pdfs, load, args)
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    old = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
    args.out.write_text(report + (old[old.index(NOTES):] if NOTES in old else ""), encoding="utf-8")


def build(out: Path, cache: Path, flags: list[str], *extra: str) -> tuple[float, dict[str, float]]:
    """Seconds for one build in a new process, and its stages' seconds (its `--timings` line)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(out), "--cache-dir", str(cache),
                           "--quiet", "--timings", *flags, *extra], check=True, cwd=ROOT, capture_output=True,
                          text=True)
    seconds = time.perf_counter() - start
    line = next(line for line in done.stdout.splitlines() if line.startswith("Stages: "))
    stages = {}
    for part in line.removeprefix("Stages: ").rstrip(".").split(", "):  # "chart images (waited) 0.03 s"
        name, value, _ = part.rsplit(" ", 2)
        stages[name] = float(value)
    return seconds, stages


def pdf_pages(site: Path) -> list[int]:
    """The number of pages of each pack's PDF in `site` (empty without pypdf)."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return []
    return [len(PdfReader(path).pages) for path in sorted(site.glob("ics/*/pack/*.pdf"))]


def summary(runs: list[tuple[float, dict]], stage: str | None = None) -> tuple[float, float, float]:
    """Median, fastest and slowest of the runs' seconds (of one stage of them, with `stage`)."""
    values = [stages.get(stage, 0.0) if stage else seconds for seconds, stages in runs]
    return statistics.median(values), min(values), max(values)


def cell(runs: list[tuple[float, dict]], stage: str | None = None) -> str:
    median, low, high = summary(runs, stage)
    return f"{median:.1f} s ({low:.1f}–{high:.1f})"


#: the start of the report's hand-written notes, which a new run keeps
NOTES = "<!-- notes: written by hand, kept by bench/pack_bench.py -->"


def write_report(cold: dict, warm: dict, pdfs: list[int], load: list[float], args) -> str:
    """The report: the builds' seconds, the packs' share of them and the PDF step's, as markdown."""
    lines = [
        "# The peer-challenge packs' cost: the shipped site built without packs, with packs, with packs and PDFs", "",
        f"Made by `.venv/bin/python bench/pack_bench.py --runs {args.runs} --cold-runs {args.cold_runs}` on "
        f"{date.today().isoformat()}: {os.cpu_count()} processors, Python {platform.python_version()}, "
        f"WeasyPrint {version('weasyprint')}, load average {load[0]:.1f} at the start and {load[1]:.1f} at the end. "
        "Each build a fresh process; cold: an empty cache; warm: `--force` with a warm cache (chart images and PDFs "
        "from the cache). Median of the runs (fastest–slowest).", "",
        "| build | cold | warm (`--force`) | its \"pdf\" stage, cold | warm |", "|---|---|---|---|---|"]
    for kind in KINDS:
        pdf_cold = cell(cold[kind], "pdf") if kind.endswith("PDF") and cold[kind] else "–"
        pdf_warm = cell(warm[kind], "pdf") if kind.endswith("PDF") and warm[kind] else "–"
        lines.append(f"| {kind} | {cell(cold[kind]) if cold[kind] else '–'} | {cell(warm[kind])} | {pdf_cold} | "
                     f"{pdf_warm} |")
    lines += ["", "Added to the build without packs (medians):", ""]
    for label, runs in (("cold", cold), ("warm", warm)):
        if not runs["no packs"]:
            continue
        base = summary(runs["no packs"])[0]
        packs, both = summary(runs["packs"])[0] - base, summary(runs["packs + PDF"])[0] - base
        verdict = "within" if packs <= TARGET * base else "over"
        lines.append(f"- {label}: packs {packs:+.1f} s ({100 * packs / base:+.1f}%: {verdict} the 10% target); "
                     f"packs and PDFs {both:+.1f} s ({100 * both / base:+.1f}%)")
    if pdfs:
        lines += ["", f"{len(pdfs)} PDFs, {min(pdfs)} to {max(pdfs)} pages each (at most 8 allowed)."]
    return "\n".join(lines) + "\n"


def version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


if __name__ == "__main__":
    main()
