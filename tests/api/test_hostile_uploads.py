"""Issue 12, item 1: a junk CSV upload neither stalls other sessions nor costs unbounded work."""

import json
from collections.abc import Iterator

import pytest
from websockets.exceptions import ConnectionClosed

from app.playground.custom_data import MAX_REPORTED_PROBLEMS, parse_csv
from app.playground.settings import PlaygroundSettings
from tests.support.bystander import (
    WORST_PING_SECONDS,
    Bystander,
    connect_from,
    expect,
    hello,
    wait_until_idle,
)
from tests.support.live_server import LiveServer, start_live_server

pytestmark = pytest.mark.timeout(120)

JUNK = "a\n" * 650_000  # 1.3 MB: the attack


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    server = start_live_server()
    yield server
    server.stop()


def test_junk_parsing_is_capped_and_counts_every_bad_line() -> None:
    report = parse_csv(PlaygroundSettings(), JUNK, 2000)
    # Line 1 ("a") reads as a header; every other line is refused, but only counted.
    assert report.rows == [] and report.rejected == 649_999
    assert len(report.problems) == MAX_REPORTED_PROBLEMS + 1  # + why reading stopped
    assert report.problems[-1] == (
        3001,
        "too many bad lines: this line and the 646999 after it unread",
    )


def test_good_rows_after_the_cap_are_counted_not_parsed() -> None:
    rows = "x,y,label\n" + "# a comment\n" + "1,2,1\n" * 2500
    report = parse_csv(PlaygroundSettings(), rows, 2000)
    assert len(report.rows) == 2000 and report.rejected == 500
    assert report.problems == [
        (2003, "over the limit of 2000 points: this line and the 499 after it unread")
    ]


def test_junk_uploads_leave_others_responsive_and_the_server_idle(server: LiveServer) -> None:
    bystander = Bystander(server.ws_url)
    with connect_from(server.ws_url, "127.0.0.2", max_size=2**24) as attacker:
        hello(attacker)
        for _ in range(6):
            attacker.send(json.dumps({"type": "upload_csv", "content": JUNK}))
            error = expect(attacker, "error")
            assert error["code"] == "invalid_upload" and "line 2" in error["message"]
    worst = bystander.stop()
    assert worst <= WORST_PING_SECONDS, f"a bystander's ping took {worst * 1000:.0f} ms"
    assert wait_until_idle() <= 0.1


def test_repeated_malformed_uploads_are_strikes_that_end_the_connection(
    server: LiveServer,
) -> None:
    junk = "not,a,row\n" * 1000  # over the inline size: parsed in a thread
    with connect_from(server.ws_url, "127.0.0.3") as attacker:
        hello(attacker)
        codes = []
        with pytest.raises(ConnectionClosed) as closed:
            for _ in range(80):
                attacker.send(json.dumps({"type": "upload_csv", "content": junk}))
                codes.append(expect(attacker, "error")["code"])
        assert set(codes) == {"invalid_upload"} and 40 <= len(codes) <= 60
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    with connect_from(server.ws_url, "127.0.0.3") as again:  # the address is not banned
        assert hello(again)["epoch"] == 0
