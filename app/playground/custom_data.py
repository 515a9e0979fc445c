"""The user's own data: points added by clicking, and CSV uploads, validated row by row.

What it is: pure checks that turn untrusted input into (x, y, label) rows the session can
train on, with a report of what was refused and why (a row number and a reason a person
understands), and the CSV download of the current split.
What it is not: storage; the session keeps the accepted points (and its checkpoint does).
Trade-off: the label rules follow the problem (±1, a class index, or a bounded number)
and are strict — a 0/1 file is accepted for binary problems (0 means −1), anything else
ambiguous is refused rather than guessed.
"""

import csv
import io
import math
from dataclasses import dataclass, field

import numpy as np

from app.engine.types import FloatArray
from app.playground.errors import ProtocolError
from app.playground.settings import PlaygroundSettings

# The plane the page draws and the upload button promises (x, y in −6…6): a point outside it
# would train without ever being seen (docs/playground-rules.md §7.3), so it is refused with
# its line number.
COORDINATE_LIMIT = 6.0
REGRESSION_LABEL_LIMIT = 10.0
MAX_REPORTED_PROBLEMS = 20
LINE_BUDGET = 1000  # lines beyond max_points a file may spend on comments and bad rows

Row = tuple[float, float, float]


@dataclass
class UploadReport:
    """The rows kept; the first refused ones as (line number, reason); how many in all.

    Only MAX_REPORTED_PROBLEMS problems are kept: a file of a million bad lines must cost
    a counter, not a million entries (issue 12).
    """

    rows: list[Row] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    rejected: int = 0

    def refuse(self, line: int, reason: str, count: int = 1, always: bool = False) -> None:
        """Count `count` refused lines; keep the reason if among the first (or `always`)."""
        self.rejected += count
        if always or len(self.problems) < MAX_REPORTED_PROBLEMS:
            self.problems.append((line, reason))

    def to_message(self) -> dict[str, object]:
        return {
            "type": "upload_report",
            "accepted": len(self.rows),
            "rejected": self.rejected,
            "problems": [{"line": line, "reason": reason} for line, reason in self.problems],
        }


def check_label(settings: PlaygroundSettings, value: float) -> float:
    """A label valid for the problem, or ValueError saying what is expected."""
    if not math.isfinite(value):
        raise ValueError("the label is not a finite number")
    if settings.problem == "regression":
        if abs(value) > REGRESSION_LABEL_LIMIT:
            raise ValueError(f"a regression label must be within ±{REGRESSION_LABEL_LIMIT:g}")
        return value
    if settings.classes > 2:
        if value != int(value) or not 0 <= value < settings.classes:
            raise ValueError(f"the label must be a class 0 to {settings.classes - 1}")
        return value
    if value not in (-1.0, 0.0, 1.0):
        raise ValueError("the label must be 1 or -1 (0 also means -1)")
    return 1.0 if value == 1.0 else -1.0


def check_row(settings: PlaygroundSettings, x: float, y: float, label: float) -> Row:
    """One point, validated; ValueError with a human reason otherwise."""
    for name, v in (("x", x), ("y", y)):
        if not math.isfinite(v) or abs(v) > COORDINATE_LIMIT:
            raise ValueError(f"{name} must be a number within ±{COORDINATE_LIMIT:g}")
    return x, y, check_label(settings, label)


def checked_point(settings: PlaygroundSettings, x: float, y: float, label: float) -> Row:
    """check_row for a clicked point, as a typed protocol error."""
    try:
        return check_row(settings, x, y, label)
    except ValueError as exc:
        raise ProtocolError("invalid_message", str(exc), "label") from None


def parse_csv(settings: PlaygroundSettings, content: str, max_points: int) -> UploadReport:
    """Rows `x,y,label`; an optional header on the first data line; '#' lines skipped.

    Bounded work whatever the file: reading stops once `max_points` rows are good or
    `max_points + LINE_BUDGET` lines were looked at; the lines left are counted (one cheap
    scan in C), not parsed, and reported as refused. Worst case ≈ 30 ms, which is why the
    server still runs this off the event loop.
    """
    report = UploadReport()
    first = True
    lines = io.StringIO(content, newline=None)  # universal newlines, read lazily
    for number, line in enumerate(lines, start=1):
        if len(report.rows) >= max_points or number > max_points + LINE_BUDGET:
            rest = lines.read()
            unread = 1 + rest.count("\n") + (1 if rest and not rest.endswith("\n") else 0)
            full = len(report.rows) >= max_points
            why = f"over the limit of {max_points} points" if full else "too many bad lines"
            reason = f"{why}: this line and the {unread - 1} after it unread"
            report.refuse(number, reason, unread, always=True)  # say why reading stopped
            break
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = next(csv.reader([stripped]))
        try:
            report.rows.append(_row(settings, fields))
        except ValueError as exc:
            if not (first and _looks_like_header(fields)):
                report.refuse(number, str(exc))
        first = False
    return report


def _row(settings: PlaygroundSettings, fields: list[str]) -> Row:
    if len(fields) != 3:
        raise ValueError(f"expected 3 values (x,y,label), found {len(fields)}")
    try:
        x, y, label = (float(f) for f in fields)
    except ValueError:
        raise ValueError("x, y and label must be numbers") from None
    return check_row(settings, x, y, label)


def _looks_like_header(fields: list[str]) -> bool:
    def is_number(text: str) -> bool:
        try:
            float(text)
        except ValueError:
            return False
        return True

    return not any(is_number(f) for f in fields)


def split_csv(train: tuple[FloatArray, FloatArray], test: tuple[FloatArray, FloatArray]) -> str:
    """The current split as CSV: `x,y,label,split` (float repr is exact)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["x", "y", "label", "split"])
    for name, (X, y) in (("train", train), ("test", test)):
        for (a, b), label in zip(X.tolist(), y.tolist(), strict=True):
            writer.writerow([repr(a), repr(b), repr(label), name])
    return out.getvalue()


def rows_to_arrays(rows: list[Row]) -> tuple[FloatArray, FloatArray]:
    table = np.asarray(rows, dtype=np.float64).reshape(len(rows), 3)
    return table[:, :2].copy(), table[:, 2].copy()
