"""Small uploads: a point off the drawn plane is refused with its line, and the exported
scripts say what the page says when there are fewer samples than one batch (issue 11, item 4)."""

from app.export import keras_script, pytorch_script
from app.playground.custom_data import parse_csv
from app.playground.session import Session
from app.playground.settings import PlaygroundSettings
from app.protocol.downloads import run_record
from tests.support.training import train

EIGHT_ROWS = "x,y,label\n" + "\n".join(
    f"{x},{y},{label}" for x, y, label in [(1, 1, 1), (-1, -1, -1), (2, 2, 1), (-2, -2, -1)] * 2
)


def test_a_row_off_the_plane_is_refused_with_its_line_number() -> None:
    report = parse_csv(PlaygroundSettings(), "1,1,1\n7,7,1\n-6,6,-1\n6.01,0,1\n", 100)
    assert report.rows == [(1.0, 1.0, 1.0), (-6.0, 6.0, -1.0)]  # the edges are on the plane
    assert [line for line, _ in report.problems] == [2, 4]
    assert "within ±6" in report.problems[0][1]


def test_a_run_that_never_updates_is_described_as_such_in_both_scripts() -> None:
    session = Session(PlaygroundSettings(seed="small"))
    session.use_upload(parse_csv(session.settings, EIGHT_ROWS, session.max_points))
    before = session.net.get_weights()
    train(session, 3)
    assert all((a == b).all() for a, b in zip(before, session.net.get_weights(), strict=True))
    for script in (keras_script(run_record(session)), pytorch_script(run_record(session))):
        assert "never updates the weights of this run" in script
        assert "N = 4 training samples" in script
        assert "carries the last" not in script  # nothing is carried: nothing is ever applied
