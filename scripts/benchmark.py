#!/usr/bin/env python3
"""Benchmark `bdt-xl refresh` against a plain python-calamine read of the same workbook.

Generates synthetic input workbooks (cached in --workdir by size, seed and generator
version), then times whole processes, wall clock, with the peak RSS of each run taken in a
fresh helper process (getrusage of its only child). The runs compared are alternated
(calamine, refresh, calamine, refresh...) so that a slow moment of the machine hits both,
and the ratio reported is the median of the per-pair ratios:

  (a) calamine: read the Agreements table with python-calamine, nothing else;
  (b) refresh:  bdt-xl refresh FILE --out OUT;
  (c) imports:  the modules a refresh of the smallest size really imports, from
                ``python -X importtime -m bdt_xl.cli refresh ...`` (total, top 10), to set
                beside that size's refresh wall time.

Targets: refresh/calamine ratio <= 2.5x at 50,000 rows; refresh peak RSS <= 250 MiB.
Exit status 1 if a target fails.

    python scripts/benchmark.py [--sizes 1000,10000,50000] [--repeat 9] [--workdir DIR]
                                [--json FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bdt_xl
from bdt_xl.workbooks.synthetic import write_synthetic_workbook

RATIO_TARGET, RATIO_AT, PEAK_TARGET_MIB = 2.5, 50_000, 250.0
IMPORT_MODULE = "bdt_xl.cli"

# Runs argv[1:] once and prints wall time, exit code and the child's peak RSS as JSON.
_MEASURE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
peak = peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # MiB
print(json.dumps({"rc": done.returncode, "wall_s": wall, "peak_mib": peak,
                  "stderr": done.stderr.decode(errors="replace")}))
"""

_CALAMINE_READ = ("import sys, python_calamine as pc; "
                  "wb = pc.CalamineWorkbook.from_path(sys.argv[1], load_tables=True); "
                  "wb.get_table_by_name('Agreements').to_python()")


def measure(cmd: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def alternated(first: list[str], second: list[str], repeat: int) -> tuple[dict, dict, list]:
    """``repeat`` pairs of runs, first then second, alternated; per-pair ratios second/first.
    Each side gets its median wall time and its largest peak RSS; ``error`` if a run failed."""
    runs: tuple[list[dict], list[dict]] = ([], [])
    for _ in range(repeat):
        for side, cmd in zip(runs, (first, second)):
            side.append(measure(cmd))
    sides = []
    for side in runs:
        failed = [run for run in side if run["rc"] != 0]
        if failed:
            lines = failed[0]["stderr"].strip().splitlines() or ["(no message)"]
            sides.append({"error": f"exit {failed[0]['rc']}: {lines[-1]}"})
            continue
        walls = [run["wall_s"] for run in side]
        sides.append({"wall_s": statistics.median(walls), "runs_s": walls,
                      "peak_mib": max(run["peak_mib"] for run in side)})
    ratios = [b["wall_s"] / a["wall_s"] for a, b in zip(*runs)
              if a["rc"] == 0 and b["rc"] == 0]
    return sides[0], sides[1], ratios


def generator_version() -> str:
    """Short hash of the code that writes synthetic workbooks: a change invalidates the cache."""
    digest = hashlib.sha256()
    for name in ("workbooks/synthetic.py", "workbooks/input_workbook.py", "core/lists.py",
                 "schema.py"):
        digest.update((Path(bdt_xl.__file__).parent / name).read_bytes())
    return digest.hexdigest()[:10]


def workbook(workdir: Path, n: int, seed: int) -> Path:
    path = workdir / f"agreements-{n}-seed{seed}-{generator_version()}.xlsx"
    if not path.exists():
        start = time.perf_counter()
        write_synthetic_workbook(path, n, seed=seed)
        print(f"  generated {path.name} in {time.perf_counter() - start:.1f} s", flush=True)
    return path


def refresh_command() -> list[str] | None:
    if importlib.util.find_spec(IMPORT_MODULE) is None:
        return None
    script = Path(sys.executable).with_name("bdt-xl")
    return [str(script)] if script.exists() else [sys.executable, "-m", IMPORT_MODULE]


def import_times(repeat: int, command: list[str]) -> dict:
    """Best-of-``repeat`` ``-X importtime`` profile of ``command`` (a Python command line):
    every module it imports, whatever imports it, lazily or not."""
    best = None
    for _ in range(repeat):
        run = measure([command[0], "-X", "importtime", *command[1:]])
        if run["rc"] != 0:
            lines = [line for line in run["stderr"].splitlines()
                     if not line.startswith("import time:")] or ["(no message)"]
            return {"error": f"exit {run['rc']}: {lines[-1]}"}
        modules = []
        for line in run["stderr"].splitlines():
            parts = line.removeprefix("import time:").split("|")
            if line.startswith("import time:") and len(parts) == 3 and parts[0].strip().isdigit():
                modules.append((parts[2].strip(), int(parts[0]), int(parts[1])))
        total_us = sum(self_us for _, self_us, _ in modules)
        if best is None or total_us < best["total_s"] * 1e6:
            top = sorted(modules, key=lambda m: m[2], reverse=True)[:10]
            best = {"command": " ".join(command[3:4]), "process_s": run["wall_s"],
                    "total_s": total_us / 1e6, "peak_mib": run["peak_mib"],
                    "modules": len(modules),
                    "top10": [{"module": name, "cumulative_s": cum / 1e6, "self_s": own / 1e6}
                              for name, own, cum in top]}
    return best


def run(args: argparse.Namespace) -> dict:
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    refresh = refresh_command()
    results = []
    for n in args.sizes:
        print(f"{n:,} rows", flush=True)
        path = workbook(workdir, n, args.seed)
        row = {"rows": n, "workbook": str(path), "bytes": path.stat().st_size}
        calamine = [sys.executable, "-c", _CALAMINE_READ, str(path)]
        if refresh is None:
            row["calamine"], _, _ = alternated(calamine, calamine, 1)
            row["refresh"] = {"error": f"not available ({IMPORT_MODULE} not found)"}
        else:
            out = workdir / f"{path.stem}.report.xlsx"
            row["calamine"], row["refresh"], ratios = alternated(
                calamine, [*refresh, "refresh", str(path), "--out", str(out)], args.repeat)
            if ratios:
                row["ratio"] = statistics.median(ratios)
                row["ratios"] = ratios
        for part in ("calamine", "refresh"):
            row[part].pop("stderr", None)
        results.append(row)
    smallest = workbook(workdir, min(args.sizes), args.seed)
    imports = import_times(args.repeat, [sys.executable, "-m", IMPORT_MODULE, "refresh",
                                         str(smallest), "--out",
                                         str(workdir / f"{smallest.stem}.imports.xlsx")])
    return {"python": sys.version.split()[0], "platform": platform.platform(),
            "cpus": os.cpu_count(), "repeat": args.repeat, "seed": args.seed,
            "pyarrow": importlib.util.find_spec("pyarrow") is not None,
            "sizes": results, "import": imports, "import_rows": min(args.sizes)}


def checks(report: dict) -> list[tuple[str, str]]:
    """(target, PASS/FAIL/n/a with the measured value) for each target."""
    sized = [row for row in report["sizes"] if row["rows"] >= RATIO_AT]
    out = [] if sized else [(f"refresh/calamine ratio <= {RATIO_TARGET:g}x at {RATIO_AT:,} rows",
                             f"n/a (no size >= {RATIO_AT:,} measured)")]
    for row in sized:
        name = f"refresh/calamine ratio <= {RATIO_TARGET:g}x at {row['rows']:,} rows"
        if "ratio" in row:
            verdict = f"{'PASS' if row['ratio'] <= RATIO_TARGET else 'FAIL'} ({row['ratio']:.2f}x)"
        elif row["refresh"].get("error", "").startswith("exit"):
            verdict = "FAIL (refresh failed)"
        else:
            verdict = "n/a"
        out.append((name, verdict))
    peaks = [row["refresh"]["peak_mib"] for row in report["sizes"] if "peak_mib" in row["refresh"]]
    name = f"refresh peak RSS <= {PEAK_TARGET_MIB:g} MiB"
    out.append((name, f"{'PASS' if max(peaks) <= PEAK_TARGET_MIB else 'FAIL'} "
                      f"({max(peaks):.0f} MiB)" if peaks else "n/a"))
    return out


def show(report: dict) -> None:
    def cell(part: dict, key: str, fmt: str) -> str:
        return format(part[key], fmt) if key in part else "n/a"

    print("\nmedian wall times; ratio = median of the per-pair ratios")
    print(f"{'rows':>8} {'calamine read s':>16} {'refresh s':>10} {'ratio':>7} "
          f"{'refresh peak MiB':>17} {'calamine peak MiB':>18}")
    for row in report["sizes"]:
        ratio = f"{row['ratio']:.2f}x" if "ratio" in row else "n/a"
        print(f"{row['rows']:>8,} {cell(row['calamine'], 'wall_s', '.3f'):>16} "
              f"{cell(row['refresh'], 'wall_s', '.3f'):>10} {ratio:>7} "
              f"{cell(row['refresh'], 'peak_mib', '.0f'):>17} "
              f"{cell(row['calamine'], 'peak_mib', '.0f'):>18}")
    for row in report["sizes"]:
        for part in ("calamine", "refresh"):
            if "error" in row[part]:
                print(f"  {row['rows']:,} rows, {part}: {row[part]['error']}")
        if len(row.get("ratios", [])) >= 4:
            low, q1, mid, q3, high = _spread(row["ratios"])
            print(f"  {row['rows']:,} rows, per-pair ratios: min {low:.2f}, quartiles "
                  f"{q1:.2f} / {mid:.2f} / {q3:.2f}, max {high:.2f}")
    if report.get("core_speeds"):
        print("  the same pure-Python loop on each CPU, before and after the runs (s): "
              + "; ".join(f"cpu{cpu} {' / '.join(f'{t:.2f}' for t in times)}"
                          for cpu, times in report["core_speeds"].items())
              + " (unequal CPUs make the per-pair ratio depend on where each run lands)")
    imp = report["import"]
    if "error" in imp:
        print(f"\nimports of a refresh: {imp['error']}")
    else:
        print(f"\nimports of `bdt-xl {imp['command']}` at {report['import_rows']:,} rows: "
              f"{imp['total_s']:.3f} s ({imp['modules']} modules) of a "
              f"{imp['process_s']:.3f} s process under -X importtime; "
              f"pyarrow installed: {report['pyarrow']}; top 10 by cumulative time:")
        for entry in imp["top10"]:
            print(f"  {entry['cumulative_s']:8.3f} s  {entry['module']}")
    print()
    for name, verdict in checks(report):
        print(f"{verdict.split()[0]:>4}  {name}  {' '.join(verdict.split()[1:])}")


def _spread(values: list[float]) -> tuple[float, float, float, float, float]:
    q1, mid, q3 = statistics.quantiles(values, n=4)
    return min(values), q1, mid, q3, max(values)


_LOOP = ("import time\nt = time.perf_counter()\nn = 0\nfor i in range(3_000_000):\n    n += i\n"
         "print(time.perf_counter() - t)")


def core_speeds() -> dict[int, float]:
    """Seconds the same pure-Python loop takes pinned to each CPU (Linux): a virtual
    machine's CPUs do not always run at the same speed, and a refresh uses two of them
    while the bare read uses one."""
    if not hasattr(os, "sched_getaffinity"):
        return {}
    speeds = {}
    for cpu in sorted(os.sched_getaffinity(0)):
        pin = f"import os\nos.sched_setaffinity(0, {{{cpu}}})\n" + _LOOP
        out = subprocess.run([sys.executable, "-c", pin], capture_output=True, text=True)
        if out.returncode == 0:
            speeds[cpu] = float(out.stdout)
    return speeds


def compile_package() -> None:
    """Cache the package's bytecode first, as any installation does (pip compiles what it
    installs; Python writes ``__pycache__`` on first import). Without it, a machine with
    ``PYTHONDONTWRITEBYTECODE`` set compiles every module of ``bdt_xl`` on every run, about
    0.3 s that no user pays, and an editable install is timed unlike an installed one."""
    import compileall

    compileall.compile_dir(str(Path(bdt_xl.__file__).parent), quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000",
                        type=lambda text: [int(x) for x in text.split(",") if x.strip()])
    parser.add_argument("--repeat", type=int, default=9, help="pairs of alternated runs")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "bdt-xl-benchmark"))
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    compile_package()
    before = core_speeds()
    report = run(args)
    after = core_speeds()
    report["core_speeds"] = {cpu: [before[cpu], after[cpu]] for cpu in before if cpu in after}
    report["checks"] = dict(checks(report))
    show(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 1 if any(v.startswith("FAIL") for v in report["checks"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
