"""Time full builds of generated data of growing size: the growth curve of the build as a publisher's data grows.

    .venv/bin/python bench/scale_bench.py [--areas 100 300 1000] [--indicators 200] [--periods 10]
                                          [--images all|first|none] [--check-only] [--timeout 1800]
                                          [--keep DIR] [--json PATH]

For each point of the series (boards x indicators x periods), bench/scale_data.py writes a valid, illustrative data
folder derived from the shipped data; then one build runs in a fresh process, as a publisher runs it, with an empty
image cache (every chart image is rendered):

    python build.py --data DIR --out OUT --cache-dir CACHE --timings --quiet [--images POLICY]

--images passes the build's static-image policy (README, "Files of the site"): `first` draws one image per page,
which is what keeps the largest point's images within its budget.

Reported per point: the values (rows) in the data, the wall seconds of the build process (Python start-up included),
the build's own seconds per stage (its --timings line), its peak memory and the site's size on disk (bytes and
files). Peak memory is the maximum resident set size of the largest single process of the build (ru_maxrss of a
small wrapper process's children: the build and the workers it waited for), not of this benchmark and not the sum
over worker processes. With --check-only, `build.py --check` runs instead (seconds and memory only). A point that
runs longer than --timeout seconds is stopped and reported as "did not finish"; larger points after it are skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from scale_data import generate  # noqa: E402

#: run argv[2:] as a child, then write its wall seconds and peak RSS (KiB on Linux) as JSON to argv[1]
WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
status = subprocess.call(sys.argv[2:])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as f:
    json.dump({"status": status, "seconds": time.perf_counter() - start, "maxrss_kib": usage.ru_maxrss}, f)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, nargs="+", default=[100, 300, 1000], help="boards at each point")
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--periods", type=int, default=10)
    parser.add_argument("--images", choices=["all", "first", "none"], help="the build's --images policy")
    parser.add_argument("--check-only", action="store_true", help="time `build.py --check` instead of a build")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per point before it is stopped")
    parser.add_argument("--keep", metavar="DIR", help="write each point's data, site and cache here and keep them")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON here")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.keep) if args.keep else Path(tmp)
        for n in sorted(args.areas):
            if results and results[-1]["outcome"] == "did not finish":
                results.append(point_result(n, args) | {"outcome": "skipped (a smaller point did not finish)"})
                continue
            results.append(run_point(base / f"scale-{n}x{args.indicators}x{args.periods}", n, args))
            print_row(results[-1], first=len(results) == 1)
    print_stages(results)
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), "check_only": args.check_only,
                                               "points": results}, indent=2) + "\n", encoding="utf-8")
        print(f"results written to {args.json}")


def point_result(n_areas: int, args: argparse.Namespace) -> dict:
    """The fields every point reports, before it runs."""
    return {"areas": n_areas, "indicators": args.indicators, "periods": args.periods, "values": None,
            "images": args.images or "all", "generate_seconds": None, "outcome": None, "seconds": None, "stages": {},
            "peak_mib": None,
            "site_bytes": None, "site_files": None}


def run_point(folder: Path, n_areas: int, args: argparse.Namespace) -> dict:
    """Generate one point's data, run the build (or the check) on it, and measure it."""
    result = point_result(n_areas, args)
    data, out, cache = folder / "data", folder / "site", folder / "cache"
    start = time.perf_counter()
    result["values"] = generate(data, n_areas, args.indicators, args.periods)["values"]
    result["generate_seconds"] = round(time.perf_counter() - start, 2)
    shutil.rmtree(cache, ignore_errors=True)  # an empty cache: every chart image is rendered
    command = [str(ROOT / "build.py"), "--data", str(data), "--quiet"]
    command += ["--check"] if args.check_only else ["--out", str(out), "--cache-dir", str(cache), "--timings"]
    if args.images and not args.check_only:
        command += ["--images", args.images]
    measured = measure([sys.executable, *command], folder / "usage.json", args.timeout)
    result.update(outcome=measured["outcome"], seconds=measured.get("seconds"), peak_mib=measured.get("peak_mib"))
    if measured["outcome"] == "ok":
        result["stages"] = parse_stages(measured["stdout"])
        if not args.check_only:
            result["site_bytes"], result["site_files"] = site_size(out)
    else:
        result["error"] = measured["stderr"][-2000:]
    return result


def measure(command: list[str], usage_file: Path, timeout: float) -> dict:
    """Run `command` inside the wrapper, in its own process group; its outcome, seconds, peak memory and output."""
    usage_file.parent.mkdir(parents=True, exist_ok=True)
    usage_file.unlink(missing_ok=True)
    wrapper = subprocess.Popen([sys.executable, "-c", WRAPPER, str(usage_file), *command], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = wrapper.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(wrapper.pid, signal.SIGKILL)  # the wrapper and the build it started, nothing else
        stdout, stderr = wrapper.communicate()
        return {"outcome": "did not finish", "seconds": timeout, "stdout": stdout, "stderr": stderr}
    usage = json.loads(usage_file.read_text()) if usage_file.exists() else {"status": wrapper.returncode}
    outcome = "ok" if usage["status"] == 0 else f"failed (exit {usage['status']})"
    return {"outcome": outcome, "seconds": round(usage.get("seconds", 0), 2), "stdout": stdout, "stderr": stderr,
            "peak_mib": round(usage["maxrss_kib"] / 1024, 1) if "maxrss_kib" in usage else None}


def parse_stages(stdout: str) -> dict[str, float]:
    """Seconds per stage from the build's --timings line: "Stages: load 0.10 s, validate 1.05 s, ..."."""
    line = next((x for x in stdout.splitlines() if x.startswith("Stages: ")), "")
    stages = {}
    for part in line.removeprefix("Stages: ").rstrip(".").split(", "):
        name, _, seconds = part.rpartition(" ")[0].rpartition(" ")
        if name:
            stages[name] = float(seconds)
    return stages


def site_size(out: Path) -> tuple[int, int]:
    """Bytes and number of the files under the site folder."""
    files = [p for p in out.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files), len(files)


def machine() -> dict:
    """What the figures were measured on."""
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}


def print_row(r: dict, first: bool) -> None:
    """One line of the results table (the header before the first)."""
    if first:
        print(f"{'areas':>6} {'indic.':>6} {'periods':>7} {'values':>10} {'gen s':>6} {'build s':>8} "
              f"{'peak MiB':>8} {'site MB':>8} {'files':>7}  outcome")

    def show(value, spec: str) -> str:
        return "-" if value is None else format(value, spec)
    print(f"{r['areas']:>6} {r['indicators']:>6} {r['periods']:>7} {show(r['values'], ','):>10} "
          f"{show(r['generate_seconds'], '.1f'):>6} {show(r['seconds'], '.1f'):>8} {show(r['peak_mib'], '.0f'):>8} "
          f"{show(None if r['site_bytes'] is None else r['site_bytes'] / 1e6, '.1f'):>8} "
          f"{show(r['site_files'], ','):>7}  {r['outcome']}", flush=True)


def print_stages(results: list[dict]) -> None:
    """A second table: the build's seconds per stage, one column per point."""
    done = [r for r in results if r["stages"]]
    if not done:
        return
    names = list(dict.fromkeys(name for r in done for name in r["stages"]))
    print("\nseconds per stage (the build's --timings)")
    print(f"{'stage':<22}" + "".join(f"{str(r['areas']) + ' areas':>12}" for r in done))
    for name in names:
        print(f"{name:<22}" + "".join(f"{r['stages'].get(name, 0):>12.2f}" for r in done))


if __name__ == "__main__":
    main()
