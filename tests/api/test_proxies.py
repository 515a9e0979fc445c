"""The shipped load-balancer configs are valid and do their job (issue 23, item 4).

deploy/haproxy.cfg and deploy/nginx.conf are checked by the proxies themselves (`haproxy -c`,
`nginx -t`) and then run, with only their addresses rewritten (tests/support/replicas.py), in
front of two real replicas: a script playing through the proxy loses its replica to SIGKILL
and goes on, on the other one, from its checkpoint. The full classroom version, with pages,
several scripts and a SIGTERM, is tests/browser/test_failover.py.
"""

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.client import PlaygroundClient
from tests.support.replicas import HAPROXY_CFG, NGINX_CONF, HAProxy, Nginx, Replica

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

SPEED = 60  # epochs/s, the page's default
CHECKPOINT_INTERVAL = 1.0  # seconds, the default


@pytest.fixture
def replicas() -> Iterator[list[Replica]]:
    started = [Replica().start(), Replica().start()]
    yield started
    for replica in started:
        replica.kill()


def test_the_shipped_haproxy_config_is_valid_and_a_broken_one_is_not(tmp_path: Path) -> None:
    ok = subprocess.run(["haproxy", "-c", "-f", str(HAPROXY_CFG)], capture_output=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = tmp_path / "broken.cfg"
    broken.write_text(HAPROXY_CFG.read_text().replace("balance leastconn", "balance fewest"))
    assert subprocess.run(["haproxy", "-c", "-f", str(broken)], capture_output=True).returncode


def test_the_shipped_nginx_config_is_valid_and_a_broken_one_is_not(tmp_path: Path) -> None:
    main = tmp_path / "nginx.conf"

    def check(site: str) -> int:
        (tmp_path / "site.conf").write_text(site)
        main.write_text(
            f"pid {tmp_path}/nginx.pid; events {{}} "
            f"http {{ proxy_temp_path {tmp_path}/proxy; include {tmp_path}/site.conf; }}"
        )
        command = ["nginx", "-t", "-e", "stderr", "-p", str(tmp_path), "-c", str(main)]
        return subprocess.run(command, capture_output=True).returncode

    # Without its certificate files nginx -t fails to load them: make the paths exist.
    site = NGINX_CONF.read_text()
    for name in ("crt", "key"):
        site = site.replace(f"/etc/ssl/playground.{name}", str(tmp_path / f"playground.{name}"))
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=localhost", "-keyout", str(tmp_path / "playground.key")]
        + ["-out", str(tmp_path / "playground.crt")],
        check=True,
        capture_output=True,
    )
    assert check(site) == 0
    assert check(site.replace("least_conn;", "fewest_conn;")) != 0


def play_until_checkpointed(pc: PlaygroundClient) -> None:
    pc.play()
    while pc.last_checkpoint is None or pc.last_checkpoint["epoch"] < SPEED:
        pc.frame()


def holder(replicas: list[Replica]) -> Replica:
    """The replica that holds the (only) session."""
    counts = [replica.sessions() for replica in replicas]
    assert sorted(counts) == [0, 1], counts
    return replicas[counts.index(1)]


def resumed_elsewhere(pc: PlaygroundClient, killed_at: float) -> tuple[float, int]:
    """Frames go on: seconds from the kill to the first frame trained after the resume, and
    the epochs the kill cost."""
    resumed_at = None
    while resumed_at is None:
        frame = pc.frame()
        if pc.resumes and frame.epoch > pc.resumes[-1].epoch_after:
            resumed_at = time.monotonic()
    resume = pc.resumes[-1]
    return resumed_at - killed_at, resume.epoch_before - resume.epoch_after


def kill_under(pc: PlaygroundClient, replicas: list[Replica], proxy: str) -> None:
    """Kill the replica a playing script is on; it must go on, on the other, within 3 s and
    having lost at most one checkpoint interval."""
    play_until_checkpointed(pc)
    doomed = holder(replicas)
    killed_at = time.monotonic()
    doomed.kill()
    seconds, lost = resumed_elsewhere(pc, killed_at)
    survivor = next(r for r in replicas if r is not doomed)
    assert survivor.sessions() == 1
    assert seconds < 3.0 and lost <= SPEED * (CHECKPOINT_INTERVAL + 0.1), (seconds, lost)
    print(f"\n{proxy}: resumed {seconds:.2f} s after the kill, {lost} epochs lost")


def test_haproxy_sends_a_script_whose_replica_died_to_the_other_at_the_first_try(
    replicas: list[Replica],
) -> None:
    proxy = HAProxy([r.port for r in replicas])
    try:
        with PlaygroundClient(proxy.ws_url, seed="through-haproxy") as pc:
            kill_under(pc, replicas, "haproxy")
            # Retry and redispatch: the one reconnection the client made got the live replica.
            assert [r.tries for r in pc.resumes] == [1]
    finally:
        proxy.stop()


def test_nginx_with_tls_sends_a_script_whose_replica_died_to_the_other(
    replicas: list[Replica], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = Nginx([r.port for r in replicas])
    monkeypatch.setenv("SSL_CERT_FILE", str(proxy.certificate))  # trust the test's certificate
    try:
        with PlaygroundClient(proxy.ws_url, seed="through-nginx") as pc:
            kill_under(pc, replicas, "nginx")
    finally:
        proxy.stop()
