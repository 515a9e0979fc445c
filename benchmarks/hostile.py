"""The twelve attacks of issue 20 against a server, and what a student beside them kept.

For each attack, a fresh server is started (this checkout's `python -m app`, another
checkout's with `--repo`, or any command with `--server-cmd`), one student plays config A
at 60 epochs/s granting a credit per frame and pinging every 0.1 s, the attack runs in a
process of its own (tests/support/attacks.py) for `--seconds`, and a markdown table row
says what the attack got, what the student kept (frames/s, epochs/s, worst ping), how much
the server grew, and whether it went back to idle. tests/api/test_hostile_class.py asserts
the same on this checkout; this script is for before/after figures in a quiet window:

    .venv/bin/python benchmarks/hostile.py                          # this checkout
    .venv/bin/python benchmarks/hostile.py --repo /path/to/previous/release
    .venv/bin/python benchmarks/hostile.py --server-cmd "cd /old && python -m app --port {port}"
    .venv/bin/python benchmarks/hostile.py --attacks ping_flood,fragments --seconds 3

A server from before issue 20 may freeze for good under an attack (item 1): its row then
shows what the student kept while it was frozen, and the server is killed afterwards.
Check `cat /proc/loadavg` first: the figures mean something only on a quiet machine.
"""

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.support.siege import Server, siege  # noqa: E402

# Each attack with the options of its regression test (the figures), and the
# settings its test gives the server (ignored by servers that do not know them).
PLAN: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "forged_export": ({"epoch": 10**9, "events": 2000}, {}),
    "unread_exports": ({"clients": 13}, {}),
    "big_messages": ({"every": 0.2}, {}),
    "export_flood": ({}, {}),
    "ping_flood": ({}, {}),
    "forwarded_for": ({"sockets": 250}, {}),
    "idle_slots": ({"sockets": 39}, {"max_sessions": 40}),
    "checkpoint_churn": ({"clients": 3}, {}),
    "run_link_hellos": ({"clients": 60}, {}),
    "slowloris": ({"sockets": 1050, "every": 1.0}, {"request_head_timeout_seconds": 3}),
    "fragments": ({"sockets": 100}, {"message_timeout_seconds": 3}),
    "max_speed_tabs": ({"tabs": 40}, {}),
    "page_flood": ({"clients": 4}, {}),
}


def server_command(args: argparse.Namespace) -> str | None:
    if args.server_cmd:
        return str(args.server_cmd)
    if args.repo:
        repo = Path(args.repo).resolve()
        python = repo / ".venv" / "bin" / "python"
        python_cmd = str(python) if python.exists() else sys.executable
        return f"cd {repo} && exec {python_cmd} -m app --port {{port}}"
    return None


def brief(tally: dict[str, Any]) -> str:
    """The attack's tally in one cell: its largest counts."""
    items = sorted(((k, v) for k, v in tally.items() if k != "under_way"), key=lambda kv: -kv[1])
    return ", ".join(f"{k} {v}" for k, v in items[:4]) or "-"


def run_one(name: str, command: str | None, seconds: float) -> str:
    options, limits = PLAN[name]
    env = {f"NN_PLAYGROUND_{k.upper()}": str(v) for k, v in limits.items()}
    server = Server(env, command)
    try:
        outcome = siege(server, name, seconds=seconds, **options)
        idle = server.back_to_idle(tries=6)
    except Exception as exc:  # noqa: BLE001 (a row that says what broke beats no row)
        return f"| {name} | {type(exc).__name__}: {str(exc)[:60]} | | | | | |"
    finally:
        server.stop()
    kept = outcome.kept
    return (
        f"| {name} | {brief(outcome.tally)} | {kept.fps:.1f} | {kept.eps:.0f} | "
        f"{kept.worst_ping * 1000:.0f} | {outcome.rss_growth / 2**20:.0f} | {idle:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", help="a checkout whose `python -m app` to attack")
    parser.add_argument("--server-cmd", help="a shell command that serves on {port}")
    parser.add_argument("--attacks", default=",".join(PLAN), help="comma-separated names")
    parser.add_argument("--seconds", type=float, default=6.0, help="each attack's window")
    args = parser.parse_args()
    command = server_command(args)
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"server: {command or 'this checkout'}; load average {' '.join(load)}\n")
    print("| attack | what the attack got | student frames/s | epochs/s | worst ping ms "
          "| server growth MB | CPU after (s/s) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for name in args.attacks.split(","):
        print(run_one(name.strip(), command, args.seconds), flush=True)
    print(f"\n{json.dumps({'seconds': args.seconds, 'finished': time.strftime('%H:%M:%S')})}")


if __name__ == "__main__":
    main()
