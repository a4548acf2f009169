"""Nightly fuzzing: the property of tests/property/test_fuzz.py on 10,000+ generated workbooks.

    python scripts/fuzz_nightly.py                      # 10,000 workbooks, 2 processes
    python scripts/fuzz_nightly.py -n 500 --jobs 1 --seed 7

Each process runs batches of ``--batch`` examples, each batch under its own Hypothesis seed
(so a failure, once shrunk, does not stop the night: it is printed and counted, and the next
batch goes on). Prints: workbooks generated, rows, accepted, rejected, whole-workbook errors,
failures, wall time. Exit code 1 if any batch failed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"


def _worker(args: tuple[int, int, int, bool]) -> tuple[Counter, list[str]]:
    examples, batch, seed, shrink = args
    sys.path[:0] = [str(TESTS / "property"), str(TESTS / "support")]
    warnings.simplefilter("ignore", RuntimeWarning)  # NaN shares of empty or infinite totals
    import test_fuzz
    from fuzz_strategies import books
    from hypothesis import Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    failures: list[str] = []
    done, n = 0, 0
    while done < examples:
        size = min(batch, examples - done)

        @hypothesis_seed(seed * 1_000_003 + n)
        @settings(settings.get_profile("fuzz-nightly"), max_examples=size,
                  phases=list(Phase) if shrink else [Phase.explicit, Phase.generate])
        @given(spec=books())
        def property_(spec):
            with tempfile.TemporaryDirectory() as folder:
                test_fuzz.check_book(spec, Path(folder))

        try:
            property_()
        except Exception as exc:  # a falsified property: keep the shrunk example, go on
            failures.append(f"seed {seed * 1_000_003 + n}: {type(exc).__name__}: "
                            + "".join(traceback.format_exception_only(exc))[:6000])
            print(failures[-1], file=sys.stderr, flush=True)
        done += size
        n += 1
        print(f"[seed {seed}] {test_fuzz.STATS['workbooks']:,} workbooks, "
              f"{len(failures)} failures", file=sys.stderr, flush=True)
    return Counter(test_fuzz.STATS), failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--examples", type=int, default=10_000,
                        help="workbooks to generate in all (default 10,000)")
    parser.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--batch", type=int, default=500, help="examples per seed")
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000)
    parser.add_argument("--no-shrink", action="store_true",
                        help="report failing examples as found (faster, larger)")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    share = [args.examples // args.jobs + (i < args.examples % args.jobs)
             for i in range(args.jobs)]
    work = [(n, args.batch, args.seed + i, not args.no_shrink) for i, n in enumerate(share)]
    if args.jobs == 1:
        results = [_worker(work[0])]
    else:
        with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
            results = pool.map(_worker, work)
    total: Counter = Counter()
    failures: list[str] = []
    for stats, failed in results:
        total.update(stats)
        failures += failed
    wall = time.perf_counter() - start
    print(f"seeds {args.seed}..{args.seed + args.jobs - 1}, {args.jobs} processes")
    print(f"workbooks generated:   {total['workbooks']:,}")
    print(f"agreement rows read:   {total['rows']:,}")
    print(f"  accepted:            {total['accepted']:,}")
    print(f"  rejected:            {total['rejected']:,}")
    print(f"whole-workbook errors: {total['workbook errors']:,}")
    print(f"failures:              {len(failures)}")
    print(f"wall time:             {wall:,.0f} s")
    for failure in failures:
        print("\n" + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
