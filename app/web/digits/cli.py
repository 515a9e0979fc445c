"""`nn-playground data ...`: what digits data this server has, and fetching full MNIST.

What it is: two subcommands. `data list` prints every data source of the digits workspace
and where it was found (reading each, so a broken file is reported now rather than when a
student picks it); `data fetch mnist` downloads MNIST's four canonical files into
`<data dir>/mnist/` and checks their SHA-256 (app/digits/fetch.py).
What it is not: the server (cli.py) or the loaders (app/digits).
Trade-off: the data dir is the server's own setting (NN_PLAYGROUND_DATA_DIR, or --dir), so
what `fetch` writes is exactly where the server looks.
"""

import argparse
from pathlib import Path

from app.digits.fetch import MNIST_MIRRORS, FetchError, fetch
from app.digits.idx import DataFileError
from app.digits.sources import SOURCES, candidates, default_data_dir, locate
from app.digits.store import load
from app.web.config import Settings


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="nn-playground data", description="The digits workspace's data (docs/digits.md)."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="which data sources this server has, and where")
    fetch_cmd = sub.add_parser("fetch", help="download a data set and check its SHA-256")
    fetch_cmd.add_argument("dataset", choices=["mnist"])
    fetch_cmd.add_argument("--dir", type=Path, help="data dir (default: NN_PLAYGROUND_DATA_DIR)")
    fetch_cmd.add_argument(
        "--from", dest="mirror", help="a mirror to use instead of the usual ones (its base URL)"
    )
    return parser.parse_args(argv)


def data_dir(explicit: Path | None) -> Path:
    return explicit or Settings.from_env().data_dir or default_data_dir()


def list_sources(folder: Path) -> int:
    """Print each source: where it was found and how many images, or where it was looked
    for; 1 if a file found is broken."""
    status = 0
    for name, source in SOURCES.items():
        located = locate(name, folder)
        if located is None:
            places = ", ".join(str(p) for p in candidates(name, folder))
            print(f"{name}: not found (looked in {places})")
            continue
        try:
            data = load(located)
        except DataFileError as exc:
            print(f"{name}: BROKEN: {exc}")
            status = 1
            continue
        print(f"{name}: {source.label}: {len(data.x_train):,} training and "
              f"{len(data.x_test):,} test images from {located.origin}")  # fmt: skip
    return status


def data_main(argv: list[str]) -> int:
    args = parse(argv)
    if args.command == "list":
        return list_sources(data_dir(None))
    target = data_dir(args.dir) / "mnist"
    mirrors = (args.mirror,) if args.mirror else MNIST_MIRRORS
    try:
        fetch(target, mirrors=mirrors)
        located = locate("mnist", target.parent)
        assert located is not None
        data = load(located)
    except (FetchError, DataFileError) as exc:
        print(f"nn-playground data fetch: {exc}")
        return 1
    sizes = f"{len(data.x_train):,} training and {len(data.x_test):,} test digits"
    print(f"MNIST is in {target}: {sizes}")
    return 0
