"""Where a page's main thread spends its time: the top entries of a Chrome performance trace.

What it is: a reader of the JSON trace that Chromium writes for CDP `Tracing` (Playwright's
`browser.start_tracing`), used by `benchmarks/browser.py --profile`. It finds the page's
renderer main thread (the `CrRendererMain` thread that was busiest), adds up each trace event's
*self* time (its duration less the events nested in it), and, from the V8 sampling profiler
that the same trace carries, each JavaScript function's self time. A worker thread's busy time
is reported as one line, since it is off the page's budget.

What it is not: a timer to quote. Shares are what it is for: which kind of work (script,
style, layout, paint, GC) and which functions dominate, so the next change goes where the
time is; absolute milliseconds move with the machine's load.

Trade-off: only complete events (`ph: "X"`) are nested, which is how Chromium records the
timeline categories read here; the rare begin/end pairs are ignored.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

Event = dict[str, Any]


def main_thread(events: list[Event]) -> tuple[int, int] | None:
    """(pid, tid) of the busiest renderer main thread, or None if the trace has none."""
    names = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M"
        and e.get("name") == "thread_name"
        and e["args"].get("name") == "CrRendererMain"
    }
    busy: Counter[tuple[int, int]] = Counter()
    for e in events:
        key = (e.get("pid"), e.get("tid"))
        if key in names and e.get("ph") == "X":
            busy[key] += e.get("dur", 0)
    return busy.most_common(1)[0][0] if busy else None


def self_times(events: Iterable[Event], clock: str = "dur") -> Counter[str]:
    """Self time in µs per event name, for complete events of one thread: wall time
    (`clock="dur"`) or the thread's CPU time (`"tdur"`), which a loaded machine inflates far
    less. Events nest by their wall-clock spans.

    Example: an "A" of 10 µs holding a "B" of 4 µs -> {"A": 6, "B": 4}
    """
    spans = sorted(
        (e["ts"], -e.get("dur", 0), e["name"], e.get(clock, 0))
        for e in events
        if e.get("ph") == "X"
    )
    totals: Counter[str] = Counter()
    stack: list[list[Any]] = []  # [end, name, time, time spent in nested events]
    for ts, neg_dur, name, spent in spans:
        while stack and stack[-1][0] <= ts:
            _close(stack, totals)
        stack.append([ts - neg_dur, name, spent, 0])
    while stack:
        _close(stack, totals)
    return totals


def _close(stack: list[list[Any]], totals: Counter[str]) -> None:
    _, name, spent, nested = stack.pop()
    totals[name] += max(0, spent - nested)
    if stack:
        stack[-1][3] += spent


def function_times(events: Iterable[Event], pid: int, tid: int) -> Counter[str]:
    """Self time in µs per JavaScript function ("name file:line"), from the V8 CPU profile
    of one thread. Each sample is charged the time until the next one. The chunks come from
    V8's sampling thread; the `Profile` event that opens them names the thread profiled."""
    events = list(events)
    ids = {
        e["id"]
        for e in events
        if e.get("name") == "Profile" and e.get("pid") == pid and e.get("tid") == tid
    }
    frames: dict[tuple[str, int], str] = {}  # (profile id, node id) -> function
    samples: dict[str, list[tuple[int, int]]] = defaultdict(list)  # id -> [(node, delta µs)]
    for e in events:
        if e.get("name") != "ProfileChunk" or e.get("pid") != pid or e.get("id") not in ids:
            continue
        data = e["args"]["data"]
        profile = data.get("cpuProfile", {})
        for node in profile.get("nodes", []):
            frames[(e["id"], node["id"])] = _frame_name(node["callFrame"])
        deltas = data.get("timeDeltas", [])
        samples[e["id"]].extend(zip(profile.get("samples", []), deltas, strict=False))
    totals: Counter[str] = Counter()
    for profile_id, ticks in samples.items():
        for (node, _), (_, delta) in zip(ticks, ticks[1:], strict=False):
            totals[frames.get((profile_id, node), "?")] += max(0, delta)
    return totals


def _frame_name(frame: dict[str, Any]) -> str:
    name = frame.get("functionName") or "(anonymous)"
    url = frame.get("url", "")
    if not url:
        return name
    return f"{name} {url.rsplit('/', 1)[-1]}:{frame.get('lineNumber', 0) + 1}"


def worker_busy(events: Iterable[Event], pid: int) -> float:
    """Busy time in µs of the page's dedicated workers (top-level events only)."""
    events = list(events)
    workers = {
        e["tid"]
        for e in events
        if e.get("ph") == "M"
        and e.get("name") == "thread_name"
        and e.get("pid") == pid
        and e["args"].get("name", "").startswith("DedicatedWorker")
    }
    total = 0.0
    for tid in workers:
        thread = [e for e in events if e.get("pid") == pid and e.get("tid") == tid]
        total += sum(self_times(thread).values())
    return total


def summary(trace: dict[str, Any] | list[Event], top: int = 12) -> list[str]:
    """Markdown lines: the main thread's top event names (by self CPU time) and JS functions
    (by self wall time, the sampler's only clock)."""
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    thread = main_thread(events)
    if thread is None:
        return ["(no renderer main thread in the trace)"]
    pid, tid = thread
    own = [e for e in events if e.get("pid") == pid and e.get("tid") == tid]
    wall, cpu = self_times(own), self_times(own, "tdur")
    by_function = function_times(events, pid, tid)
    total_cpu = sum(cpu.values()) or 1
    lines = [
        f"main thread: {sum(wall.values()) / 1000:.0f} ms busy, "
        f"{total_cpu / 1000:.0f} ms of CPU in the trace; "
        f"workers: {worker_busy(events, pid) / 1000:.0f} ms busy",
        "",
        "| trace event | self CPU ms | share | self wall ms |",
        "|---|---|---|---|",
    ]
    for name, us in cpu.most_common(top):
        lines.append(f"| {name} | {us / 1000:.1f} | {100 * us / total_cpu:.0f}% | "
                     f"{wall[name] / 1000:.1f} |")  # fmt: skip
    busy = {k: v for k, v in by_function.items() if k not in ("(idle)", "(program)")}
    total = sum(busy.values()) or 1
    lines += ["", "| JS function (self, idle left out) | self ms | share |", "|---|---|---|"]
    for name, us in Counter(busy).most_common(top):
        lines.append(f"| {name} | {us / 1000:.1f} | {100 * us / total:.0f}% |")
    return lines
