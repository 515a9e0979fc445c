"""Issue 20's rules as pure functions: sizes by message type, address groups, identities,
shares per group, slots, work budgets and incremental checkpoints (the live attacks are in
tests/api/test_hostile_class.py)."""

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import anyio
import pytest

from app.playground import checkpoint
from app.playground.errors import ProtocolError
from app.playground.session import Session
from app.playground.settings import PlaygroundSettings
from app.playground.training_state import Training
from app.protocol.caps import HELLO_VALUES, SMALL_CAP, check_size, unknown_settings
from app.protocol.frames import build_frame
from app.web.admission import address_group
from app.web.budgets import WorkBudget
from app.web.checkpoints import CheckpointText
from app.web.identity import mint, share_group, verify
from app.web.offload import Helper, dumps, loads
from app.web.pacer import Pacer
from app.web.phase import Phase
from app.web.scheduler import FairScheduler
from app.web.slots import idle_for, longest_idle
from tests.support.training import train

LARGE = 2 * 1024 * 1024


def refused(text: str) -> str:
    with pytest.raises(ProtocolError) as error:
        check_size(text, LARGE)
    assert error.value.code == "too_large"
    return error.value.message


def test_small_types_have_small_caps_read_before_parsing() -> None:
    assert check_size('{"type":"ping","id":1}', LARGE) == "ping"
    assert "512" in refused('{"type":"ping","id":"' + "x" * 600 + '"}')
    assert "8192" in refused('{"type":"set","settings":{' + '"a":0,' * 2000 + '"b":0}}')
    # a type that is not first, or no type: the small cap; a broken text is never parsed
    assert "does not begin" in refused('{"settings":{}, "type":"hello"' + " " * SMALL_CAP + "}")
    assert "does not begin" in refused("[" * (SMALL_CAP + 1))


def test_only_hello_import_and_upload_may_be_large() -> None:
    content = "1,1,1\\n" * 100_000
    assert check_size('{"type":"upload_csv","content":"' + content + '"}', LARGE) == "upload_csv"
    assert check_size('{"type": "import_json", "content": "' + content + '"}', LARGE)
    assert "at most 2097152" in refused('{"type":"hello","x":"' + "x" * LARGE + '"}')


def test_a_large_hello_holds_a_bounded_number_of_values() -> None:
    within = json.dumps({"type": "hello", "checkpoint": {"w": [0.5] * (HELLO_VALUES - 10)}})
    assert check_size(within, LARGE) == "hello"
    over = json.dumps({"type": "hello", "checkpoint": {"w": [0] * (HELLO_VALUES + 10)}})
    assert "values" in refused(over)


def test_unknown_settings_are_named_before_validation() -> None:
    unknown_settings({"noise": 10, "seed": "1"})
    with pytest.raises(ProtocolError) as error:
        unknown_settings({"noise": 10, **{str(i): 0 for i in range(200_000)}})
    assert error.value.field == "settings.0" and error.value.code == "invalid_message"


def test_ipv6_addresses_are_grouped_by_their_64() -> None:
    assert address_group("2001:db8:1:2:aaaa::1") == address_group("2001:db8:1:2:bbbb::9")
    assert address_group("2001:db8:1:2::1") != address_group("2001:db8:1:3::1")
    assert address_group("::ffff:10.1.2.3") == "10.1.2.3" == address_group("10.1.2.3")
    assert address_group("10.1.2.3") != address_group("10.1.2.4")


def test_identities_are_signed_and_fall_back_to_the_address() -> None:
    cookie = mint("key")
    name = verify(cookie, "key")
    assert name and cookie.startswith(name)
    assert verify(cookie, "another key") is None and verify(name + ".forged", "key") is None
    assert share_group(cookie, "key", "10.0.0.1") == f"browser:{name}"
    assert share_group("made.up", "key", "10.0.0.1") == "address:10.0.0.1"
    assert share_group(None, "key", "10.0.0.1") == "address:10.0.0.1"


def test_forty_tabs_of_one_group_share_what_one_student_gets() -> None:
    scheduler = FairScheduler()
    for key in range(40):
        scheduler.join(key, "address:10.0.0.9")
    scheduler.join(99, "browser:student")
    for key in [*range(40), 99] * 2:  # the second round: all of them want CPU
        scheduler.slice(key, 1.0)
    assert scheduler.fraction[99] == pytest.approx(0.5)
    assert scheduler.fraction[0] == pytest.approx(1 / 80)
    # an overrun of 1 ms at 1/80 of the loop is paid by standing aside 79 ms
    scheduler.charge(0, 0.001 + 0.025 / 80, share=0.025 / 80)
    assert scheduler.owed(0) == pytest.approx(0.079)


def test_training_at_speed_max_fills_the_loop_without_stretching_frames() -> None:
    """A session at "max" keeps the loop busy by its own choice: that is not overload, so
    frames keep their rate (a lone one saw 24 of 30 frames/s); its time still counts for
    its group's share, so forty such tabs are still one group over its share."""
    filler, paced = FairScheduler(), FairScheduler()
    for scheduler, is_filler in ((filler, True), (paced, False)):
        scheduler.join(1, "tabs")
        for _ in range(100):  # 0.9 s of the last second training
            scheduler.charge(1, 0.009, share=0.012, filler=is_filler)
    assert filler.frame_stretch(1) == 1.0 and paced.frame_stretch(1) > 1.1
    filler.join(2, "light")
    filler.charge(2, 0.02)
    assert filler.over_share("tabs") and not filler.over_share("light")


def test_a_light_group_beside_a_heavy_one_keeps_its_frame_rate() -> None:
    scheduler = FairScheduler()
    scheduler.join(1, "heavy")
    scheduler.join(2, "light")
    for _ in range(100):
        scheduler.charge(1, 0.009)  # 0.9 s of the last second
    scheduler.charge(2, 0.02)
    assert scheduler.frame_stretch(2) == 1.0 and scheduler.frame_stretch(1) > 1.1
    assert scheduler.over_share("heavy") and not scheduler.over_share("light")
    scheduler.charge(1, 0.001)  # a heavy group's frame counts against its turns
    assert scheduler.debt[1] == pytest.approx(0.001)


def slot(training: Training, idle: float, credit: int = 0) -> SimpleNamespace:
    now = time.monotonic()
    pacer = Pacer(30, 1, now - 60)
    pacer.credit, pacer.starved_since = credit, now - 60
    session = SimpleNamespace(training=training)
    return SimpleNamespace(phase=Phase.LIVE, pacer=pacer, session=session, active_at=now - idle)


def test_the_longest_idle_session_gives_its_slot_back() -> None:
    watched = slot(Training.PLAYING, 500, credit=2)  # trains for someone: never chosen
    unwatched = slot(Training.PLAYING, 30)  # no credit for a minute: the page is hidden
    paused, silent = slot(Training.PAUSED, 20), slot(Training.PAUSED, 300)
    now = time.monotonic()
    assert idle_for(watched, now) == 0 and idle_for(slot(Training.STEPPING, 900), now) == 0
    assert longest_idle([watched, unwatched, paused, silent], 10) is silent
    assert longest_idle([watched, unwatched, paused], 10) is unwatched
    assert longest_idle([watched, slot(Training.PAUSED, 5)], 10) is None  # not idle long enough


def test_a_budget_in_debt_makes_the_next_spender_wait() -> None:
    budget, now = WorkBudget(rate=0.25, burst=1.0), time.monotonic()
    assert budget.wait(now) == 0
    budget.spend(1.5, now)  # half a second in debt
    assert budget.wait(now) == pytest.approx(2.0, abs=0.01)
    assert budget.wait(now + 2.0) == 0


def test_incremental_checkpoints_are_the_checkpoint() -> None:
    session = Session(PlaygroundSettings(seed="7"), 6, 8, 2000)
    encoder = CheckpointText()
    for round_ in range(3):
        for i in range(50):
            session.set_weight(0, 0, 0, 0.01 * i)
        session.add_point(1.0, float(round_), 1.0)
        train(session, 2)
        sent = json.loads(encoder.message(session))
        assert sent["type"] == "checkpoint"
        assert sent["checkpoint"] == json.loads(json.dumps(checkpoint.take(session)))
    session.reset()  # a new run log: encoded from scratch
    assert json.loads(encoder.message(session))["checkpoint"]["run_log"]["events"] == []


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"optimizer": "adam", "batch_size": 7},
        {"network_shape": [8] * 6, "regularization": "L1"},
    ],
)
def test_a_session_built_in_a_helper_trains_and_draws_as_the_original(settings: dict) -> None:
    """The engine keeps parameters, gradients and slots as views of one vector; a session
    that crossed the helper's pipe must still train the vector it draws."""

    def run(through_helper: bool) -> tuple[bytes, list[float]]:
        session = Session(PlaygroundSettings(seed="0.12345", **settings), 6, 8, 2000)
        train(session, 3)
        if through_helper:
            session = loads(dumps(session))
        train(session, 5)
        session.set_weight(0, 0, 0, 0.5)
        train(session, 5)
        return build_frame(session, 1, with_inputs=True), session.net.params.flat.tolist()

    assert run(True) == run(False)


def test_a_helper_outlives_the_thread_that_started_it() -> None:
    """Helpers start in the worker's thread pool, whose threads end when idle."""
    helper = Helper("build", 10.0)
    starter = threading.Thread(target=helper.start)
    starter.start()
    starter.join()
    time.sleep(0.5)
    try:
        assert helper.process is not None and helper.process.is_alive()
        # In a thread of its own: after the browser tests, Playwright leaves an event loop
        # registered as running in pytest's main thread (tests/unit/test_runner_sleep.py).
        with ThreadPoolExecutor(1) as pool:
            answer = pool.submit(anyio.run, helper.call, len, "abc").result()
        assert answer[0] == 3
    finally:
        helper.close()
