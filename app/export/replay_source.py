"""The framework-neutral half of an exact-replay script: data, batches, rate, dead links.

What it is: source text, in NumPy, that the Keras and PyTorch replays share: `Data` (the
training and test sets as the page had them, changed by regenerate / add / clear events),
`epoch_batches` (the playground's batching, with the carried-over rows trained as part of the
next epoch's first batch), `Rate` (the learning rate, with its recorded changes and legacy
decay) and `kill_crossings` (L1's dead links, docs/playground-rules.md §4.5), plus the
literals of the recorded events. Also `carry_counts`, which finds where a hand edit met
carried rows.
What it is not: the framework half (building, stepping and editing the model), which
keras_script.py and pytorch_script.py write.
Trade-off: the carried rows are trained as one merged batch rather than as a stored gradient
sum: the same update (nothing moves in between) in plain framework calls, except after a
hand edit between the two, which the header then names.
"""

import textwrap
from typing import Any

from app.export.record import RunRecord, kills_links
from app.export.script_parts import array_literal, float_repr

REPLAY_SOURCE = '''\
class Data:
    """The training and test sets as the page had them; events change them."""

    def __init__(self):
        n = len(F_TRAIN) - N_ADDED  # the last N_ADDED training rows were clicked in
        self.base, self.added = (F_TRAIN[:n], Y_TRAIN[:n]), (F_TRAIN[n:], Y_TRAIN[n:])
        self.test = F_TEST, Y_TEST

    def train(self):
        return np.vstack([self.base[0], self.added[0]]), np.vstack([self.base[1], self.added[1]])

    def apply(self, event, rng):
        """A data event (False for any other): new data from a regenerate (the clicked
        points stay), a point clicked in, the points cleared, or an epoch that diverged and
        was rolled back, whose only trace is the shuffle it drew."""
        kind, *args = event
        if kind == "regenerate":
            f, y, f_test, y_test = REGENERATED[args[0]]
            self.base, self.test = (f, y), (f_test, y_test)
        elif kind == "add_point":
            f, y = self.added
            self.added = np.vstack([f, [args[0]]]), np.vstack([y, [args[1]]])
        elif kind == "clear_points":
            self.added = self.added[0][:0], self.added[1][:0]
        elif kind == "diverged":
            epoch_order(rng, len(self.train()[0]))
        return kind in ("regenerate", "add_point", "clear_points", "diverged")


def shuffler():
    """The engine's shuffle generator, from the same state (None: stored order)."""
    if SHUFFLE_STATE is None:
        return None
    rng = np.random.Generator(np.random.PCG64())
    rng.bit_generator.state = SHUFFLE_STATE
    return rng


def epoch_order(rng, n):
    return rng.permutation(n) if rng is not None else np.arange(n)


def epoch_batches(F, Y, order, carried):
    """The (features, targets) of each update of one epoch, and the rows carried out of it.

    CARRY (the playground): an update after every BATCH_SIZE rows; the last
    len(order) % BATCH_SIZE rows carry into the next epoch's first update, which trains on
    carried + BATCH_SIZE rows as one batch: the playground sums both gradients and divides
    by their count, at weights nothing changed in between. Otherwise (Keras fit) the short
    last batch is its own update."""
    full = len(order) - len(order) % BATCH_SIZE if CARRY else len(order)
    batches = []
    for start in range(0, full, BATCH_SIZE):
        rows = order[start : start + BATCH_SIZE]
        f, y = F[rows], Y[rows]
        if carried is not None:
            f, y, carried = np.vstack([carried[0], f]), np.vstack([carried[1], y]), None
        batches.append((f, y))
    if full < len(order):
        f, y = F[order[full:]], Y[order[full:]]
        if carried is not None:  # fewer rows than a batch: nothing was applied yet
            f, y = np.vstack([carried[0], f]), np.vstack([carried[1], y])
        carried = (f, y)
    return batches, carried


class Rate:
    """The learning rate: LEARNING_RATE until an event changes it; with legacy decay the
    rate of update k is base / (1 + DECAY * k) (Keras's InverseTimeDecay)."""

    def __init__(self):
        self.base = LEARNING_RATE

    def at(self, k):
        return self.base / (1 + DECAY * k)


def kill_crossings(w, before, dead, lr):
    """L1's dead links (§4.5), in place on the kernel w just updated from `before`.

    Dead links keep their value. A weight whose L1 step crossed zero becomes 0 and its link
    dies: the data step alone reached before - lr*g = w + lr*RATE*sign(before), and the
    full update w has the other sign."""
    w[dead] = before[dead]
    data_step = w + lr * RATE * np.sign(before)
    crossed = (data_step * w < 0) & ~dead
    w[crossed] = 0.0
    dead |= crossed
'''


def replay_constants(record: RunRecord, decay: float) -> str:
    """The constants REPLAY_SOURCE reads: batching, rate, dead links, added rows."""
    s = record.settings
    kills = kills_links(s)
    return "\n".join(
        [
            f"BATCH_SIZE = {s.batch_size}",
            f"CARRY = {s.mode == 'playground'}  # playground batching (True) or Keras fit's",
            f"LEARNING_RATE = {float_repr(s.learning_rate)}",
            f"DECAY = {float_repr(decay)}",
            f"RATE = {float_repr(s.regularization_rate)}  # the regularization rate λ",
            f"KILLS_LINKS = {kills}  # L1 under plain SGD: zero crossings kill links",
            f"N_ADDED = {record.replay.n_added}",
        ]
    )


def events_section(record: RunRecord) -> str:
    """EVENTS = {epoch: [event, ...]} and REGENERATED = [(F, Y, F_test, Y_test), ...]."""
    by_epoch: dict[int, list[str]] = {}
    for epoch, event in record.replay.events:
        by_epoch.setdefault(epoch, []).append(_event_literal(event))
    lines = ["# What the user did, applied after the given number of epochs, in order."]
    lines.append("EVENTS = {")
    for epoch, events in by_epoch.items():
        lines.append(f"    {epoch}: [")
        lines += [f"        {e}," for e in events]
        lines.append("    ],")
    lines.append("}")
    sets = "".join(_dataset_literal(data) for data in record.replay.datasets)
    lines.append(f"REGENERATED = [\n{sets}]" if sets else "REGENERATED = []")
    return "\n".join(lines)


def _dataset_literal(data: tuple[Any, ...]) -> str:
    arrays = "".join(f"        {array_literal(a, ' ' * 8)},\n" for a in data)
    return f"    (\n{arrays}    ),\n"


def _event_literal(event: tuple[Any, ...]) -> str:
    kind, *args = event
    parts = [repr(kind)]
    for a in args:
        if hasattr(a, "shape"):
            parts.append("[" + ", ".join(repr(float(v)) for v in a) + "]")
        elif isinstance(a, float):
            parts.append(float_repr(a))
        else:
            parts.append(repr(a))
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def carry_counts(record: RunRecord) -> dict[int, int]:
    """{e: rows carried after e epochs} for e = 0, every epoch where an event happened and
    the run's last epoch, of a playground-batched replay (empty under Keras batching, which
    carries nothing).

    In closed form between events, where the training set's size n is constant: after an
    epoch with a full batch in it n mod B rows are carried, and an epoch shorter than a batch
    carries all of its n rows on top of what was carried. So the cost grows with the events
    (at most 10,000), never with the epochs: a checkpoint may claim a billion of them.
    """
    s, replay = record.settings, record.replay
    if s.mode != "playground":
        return {}
    n_base, n_added = len(record.Ftr) - replay.n_added, replay.n_added
    events, i = replay.events, 0
    counts, carried, done = {0: 0}, 0, 0
    while done < record.epochs:
        while i < len(events) and events[i][0] <= done:
            if events[i][0] == done:  # events are in epoch order; none before `done` is left
                n_base, n_added = _resized(events[i][1], n_base, n_added, replay.datasets)
            i += 1
        end = min(record.epochs, events[i][0]) if i < len(events) else record.epochs
        n = n_base + n_added
        carried = n % s.batch_size if n >= s.batch_size else carried + (end - done) * n
        counts[end], done = carried, end
    return counts


def _resized(
    event: tuple[Any, ...], n_base: int, n_added: int, datasets: tuple[Any, ...]
) -> tuple[int, int]:
    """The training set's (base rows, clicked rows) after `event`."""
    kind, *args = event
    if kind == "regenerate":
        return len(datasets[args[0]][0]), n_added
    if kind == "add_point":
        return n_base, n_added + 1
    if kind == "clear_points":
        return n_base, 0
    return n_base, n_added


EDIT_NOTE = (
    "A {what} was edited by hand after epoch {epoch}, while {rows} training rows were carried "
    "over: the playground took their gradient at the weights before the edit, this replay "
    "trains them with the next batch at the edited weights (one merged batch), so the losses "
    "differ slightly from there on."
)


def edit_notes(record: RunRecord) -> list[str]:
    """Where a hand edit falls between carried rows and the batch they join."""
    counts = carry_counts(record)
    notes = []
    for epoch, (kind, *_) in record.replay.events:
        if kind in ("weight", "bias") and counts.get(epoch, 0) and epoch < record.epochs:
            notes.append(EDIT_NOTE.format(what=kind, epoch=epoch, rows=counts[epoch]))
            break  # the first one says it all
    return notes


def replay_facts(record: RunRecord) -> list[str]:
    """Header lines: what each part of the replay corresponds to on the page."""
    s, replay = record.settings, record.replay
    facts = []
    if record.settings.mode == "playground":
        facts.append(
            "Batches: an update every BATCH_SIZE samples; the last N mod BATCH_SIZE samples of "
            "an epoch join the next epoch's first batch as one update (epoch_batches), as the "
            "playground carries them over (NN Playground's docs/playground-rules.md §4.5)."
        )
    if kills_links(s):
        facts.append(
            "L1 dead links: after each update a weight that the L1 step pushed across zero "
            "becomes 0 and is never updated again (kill_crossings)."
        )
    if replay.events:
        kinds = sorted({event[0] for _, event in replay.events})
        facts.append(
            f"Your actions during the run ({len(replay.events)} events: {', '.join(kinds)}) "
            "are in EVENTS and applied between the epochs where they happened."
        )
    lines = ["", "The replay:"] if facts else []
    for fact in facts:
        lines += textwrap.wrap(fact, 92, initial_indent="- ", subsequent_indent="  ")
    return lines
