"""Replicas and the load balancers in front of them, as a school's IT person would run them.

What it is: `Replica`, one `python -m app` process on a fixed port that can be killed (SIGKILL),
stopped (SIGTERM: the drain) and started again on the same port; `HAProxy` and `Nginx`, Debian's
binaries run in the foreground as children of the test with the shipped deploy/haproxy.cfg and
deploy/nginx.conf, in which only addresses (and the certificate paths) are rewritten.
What it is not: a cluster: every process listens on 127.0.0.1, and nothing leaves the machine.
Trade-off: the configs are rewritten by exact line patterns, and each rewrite asserts how many
lines it changed, so a config edited out of the tests' reach fails loudly instead of being run
half-rewritten.
"""

import getpass
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.support.live_server import free_port
from tests.support.processes import ROOT, launch

HAPROXY_CFG = ROOT / "deploy" / "haproxy.cfg"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"


class Replica:
    """`python -m app --port PORT` (the README's command) that can die and come back."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws"
        self.env = {"NN_PLAYGROUND_TRUST_FORWARDED_FOR": "true", **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "Replica":
        self.process = launch(self.port, self.env)
        return self

    def kill(self) -> None:
        """SIGKILL: no drain, no close frames; the kernel resets its connections."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def terminate(self) -> None:
        """SIGTERM, as `docker stop` or a rolling update sends it: the drain, then exit."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self, seconds: float = 30) -> int:
        assert self.process is not None
        return self.process.wait(timeout=seconds)

    def sessions(self) -> int:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as r:
            return int(json.loads(r.read())["sessions"])


def replace_lines(text: str, pattern: str, replacements: list[str]) -> str:
    """Replace the lines matching `pattern` (whole line, indentation kept), in order, with
    `replacements`; exactly as many lines must match as there are replacements."""
    lines, matched = text.splitlines(keepends=True), 0
    for i, line in enumerate(lines):
        if re.fullmatch(pattern, line.strip()):
            assert matched < len(replacements), f"more lines than expected match {pattern!r}"
            indent = line[: len(line) - len(line.lstrip())]
            lines[i] = indent + replacements[matched] + "\n"
            matched += 1
    assert matched == len(replacements), (
        f"{matched} lines match {pattern!r}, not {len(replacements)}"
    )
    return "".join(lines)


def haproxy_config(port: int, replicas: list[int], stats: Path) -> str:
    """deploy/haproxy.cfg listening on 127.0.0.1:`port` in front of these local replicas (whose
    name, in the checks' Host, is 127.0.0.1), plus a stats socket (the only line added) from
    which the test reads what HAProxy thinks."""
    text = HAPROXY_CFG.read_text()
    text = replace_lines(text, r"bind :80", [f"bind 127.0.0.1:{port}"])
    servers = [f"server replica{i + 1} 127.0.0.1:{p}" for i, p in enumerate(replicas)]
    text = replace_lines(text, r"server replica\d \S+:8000", servers)
    check = r"http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host \S+"
    text = replace_lines(text, check, [check.replace(r"\S+", "127.0.0.1")])
    socket = f"stats socket {stats} level admin"  # admin: the test drains a replica from it
    return replace_lines(text, r"maxconn 4096 .*", [f"maxconn 4096\n    {socket}"])


class Foreground:
    """A proxy binary run in the foreground as the test's child, its output in a log file."""

    dir: Path

    def run(self, name: str, command: list[str]) -> None:
        self.log = open(self.dir / f"{name}.log", "wb")  # noqa: SIM115 (lives as long as it)
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.log.close()


class HAProxy(Foreground):
    """Debian's haproxy in the foreground (`-db`), validated first with `haproxy -c`."""

    def __init__(self, replicas: list[int]) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="nnp-haproxy-"))
        self.port, self.stats = free_port(), self.dir / "stats.sock"
        self.config = self.dir / "haproxy.cfg"
        self.config.write_text(haproxy_config(self.port, replicas, self.stats))
        check = subprocess.run(["haproxy", "-c", "-f", str(self.config)], capture_output=True)
        assert check.returncode == 0, check.stdout + check.stderr
        self.run("haproxy", ["haproxy", "-db", "-f", str(self.config)])
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws"
        wait_for_healthz(self.url, self.process)

    def servers(self) -> dict[str, str]:
        """Each replica's state as HAProxy's checks see it: "UP", "DOWN", "UP 1/2"…"""
        rows = self.command("show stat").splitlines()
        fields = rows[0].lstrip("# ").split(",")
        states = {}
        for row in rows[1:]:
            values = dict(zip(fields, row.split(","), strict=False))
            if values.get("pxname") == "replicas" and values.get("svname", "").startswith(
                "replica"
            ):
                states[values["svname"]] = values["status"]
        return states

    def bytes_out(self) -> int:
        """Bytes the frontend has sent to clients so far."""
        rows = self.command("show stat").splitlines()
        fields = rows[0].lstrip("# ").split(",")
        for row in rows[1:]:
            values = dict(zip(fields, row.split(","), strict=False))
            if values.get("pxname") == "playground" and values.get("svname") == "FRONTEND":
                return int(values["bout"])
        raise AssertionError("no frontend row in haproxy's stats")

    def command(self, line: str) -> str:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.stats))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def set_state(self, replica: str, state: str) -> None:
        """What an operator does from the stats socket: "drain" takes no new connections but
        keeps those it has (and its checks), "ready" takes them again."""
        answer = self.command(f"set server replicas/{replica} state {state}")
        assert not answer.strip(), answer

    def wait_until(self, replica: str, state: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while self.servers().get(replica) != state:
            assert time.monotonic() < deadline, f"{replica} not {state}: {self.servers()}"
            time.sleep(0.1)


def nginx_site(port: int, replicas: list[int], certificate: Path, key: Path) -> str:
    """deploy/nginx.conf on 127.0.0.1: the TLS server on `port`, the redirect on the port
    after it, these replicas, and a certificate made for the test."""
    text = NGINX_CONF.read_text()
    text = replace_lines(text, r"listen 80;", [f"listen 127.0.0.1:{port + 1};"])
    text = replace_lines(text, r"listen 443 ssl;", [f"listen 127.0.0.1:{port} ssl;"])
    text = replace_lines(text, r"ssl_certificate\s+\S+;", [f"ssl_certificate {certificate};"])
    text = replace_lines(text, r"ssl_certificate_key\s+\S+;", [f"ssl_certificate_key {key};"])
    servers = [f"server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in replicas]
    return replace_lines(text, r"server \S+:8000 max_fails=1 fail_timeout=10s;", servers)


class Nginx(Foreground):
    """Debian's nginx in the foreground, with deploy/nginx.conf included in a minimal main
    configuration (pid, logs and temporary files in a directory of its own)."""

    def __init__(self, replicas: list[int]) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="nnp-nginx-"))
        self.port = free_port_pair()
        self.certificate, self.key = self.dir / "tls.crt", self.dir / "tls.key"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
            + ["-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"]
            + ["-keyout", str(self.key), "-out", str(self.certificate)],
            check=True,
            capture_output=True,
        )
        site = self.dir / "playground.conf"
        site.write_text(nginx_site(self.port, replicas, self.certificate, self.key))
        user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
        temp = " ".join(f"{kind}_temp_path {self.dir}/{kind};" for kind in TEMP_PATHS)
        self.config = self.dir / "nginx.conf"
        self.config.write_text(
            f"{user}worker_processes 1;\npid {self.dir}/nginx.pid;\nerror_log stderr warn;\n"
            f"events {{ worker_connections 512; }}\n"
            f"http {{ access_log off; {temp} include {site}; }}\n"
        )
        base = ["nginx", "-e", "stderr", "-p", str(self.dir), "-c", str(self.config)]
        check = subprocess.run([*base, "-t"], capture_output=True)
        assert check.returncode == 0, check.stdout + check.stderr
        self.run("nginx", [*base, "-g", "daemon off;"])
        self.url = f"https://127.0.0.1:{self.port}"
        self.ws_url = f"wss://127.0.0.1:{self.port}/ws"
        deadline = time.monotonic() + 20
        while not listening(self.port):
            assert time.monotonic() < deadline and self.process.poll() is None, "no nginx"
            time.sleep(0.05)


TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def free_port_pair() -> int:
    """A free port whose successor is free too (nginx's TLS server and its redirect)."""
    for _ in range(50):
        port = free_port()
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no two free ports in a row")


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def wait_for_healthz(url: str, process: subprocess.Popen[bytes], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer /healthz")
