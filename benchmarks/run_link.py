"""Run-link benchmark: what replaying a "Link to this run" costs the server.

A link names a position in the seeded playground stream (`run=<draws>.<generation>`); a new
session reaches it by drawing that many values again in pure Python (app/playground/rng.py).
This prints, for markers of growing size, the median time of
- the rewind alone (`PlaygroundRandom.skip` from the data's position to the marker), and
- the whole Session build from a hello with that marker (data, rewind, network),
next to the same build without a marker. The server does this build in a worker thread, so
these are milliseconds of a worker, not of the event loop. Never pass/fail.

    .venv/bin/python benchmarks/run_link.py [--repeats 5]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from app.playground.rng import PlaygroundRandom  # noqa: E402
from app.playground.run_link import MAX_DRAWS, RunMarker  # noqa: E402
from app.playground.session import Session  # noqa: E402
from app.playground.settings import PlaygroundSettings  # noqa: E402

SEED = "0.12345"
# The default page (circle, 4x2): its data takes 2,500 draws.
SETTINGS = PlaygroundSettings(seed=SEED)
DRAWS = [3_000, 10_000, 50_000, MAX_DRAWS]


def median_ms(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    data_draws = Session(SETTINGS).run_marker.draws  # type: ignore[union-attr]
    plain = median_ms(lambda: Session(SETTINGS), args.repeats)
    print(f"default page, seed {SEED}: the data takes {data_draws} draws")
    print(f"Session build without a marker: {plain:.1f} ms (median of {args.repeats})\n")
    print("| marker draws | rewind only (ms) | µs per draw | Session build with marker (ms) |")
    print("|---:|---:|---:|---:|")
    for draws in DRAWS:
        extra = draws - data_draws

        def rewind(extra: int = extra) -> None:
            PlaygroundRandom(SEED).skip(extra)

        marker = RunMarker(draws, 5)
        rewind_ms = median_ms(rewind, args.repeats)
        build_ms = median_ms(lambda m=marker: Session(SETTINGS, run=m), args.repeats)
        per_draw = rewind_ms * 1000 / max(extra, 1)
        print(f"| {draws:,} | {rewind_ms:.1f} | {per_draw:.2f} | {build_ms:.1f} |")


if __name__ == "__main__":
    main()
