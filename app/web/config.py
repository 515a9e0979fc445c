"""Settings: one immutable object read from `NN_PLAYGROUND_*` environment variables.

It is not a general configuration system: every knob a deployer may need (bind address,
limits that protect a shared server, where the front-end assets live) is one typed field,
validated once at start-up so a typo fails loudly instead of at the first request.
"""

import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

ENV_PREFIX = "NN_PLAYGROUND_"
_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # app/, where the wheel puts the assets


def _asset_dir(name: str) -> Path:
    """Find `static/` or `templates/`: inside the installed package, else the checkout root.

    A wheel carries the assets inside `app/` (pyproject force-include); an editable install
    or a plain checkout keeps them beside `app/` at the repository root.
    """
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    return _PACKAGE_DIR / name


class Settings(BaseModel):
    """Every deploy-time setting, with the safe default a class of 50 students needs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8000
    workers: Annotated[int, Field(ge=1, le=64)] = 1
    static_dir: Path = Field(default_factory=lambda: _asset_dir("static"))
    templates_dir: Path = Field(default_factory=lambda: _asset_dir("templates"))
    # A teacher's own lessons (*.toml, docs/lessons.md), shown beside the built-in ones.
    lessons_dir: Path | None = None
    # Limits that keep one client from hurting the others (docs/architecture.md §3, §5).
    max_sessions: Annotated[int, Field(ge=1, le=10_000)] = 200
    max_message_bytes: Annotated[int, Field(ge=1024, le=16 * 1024 * 1024)] = 2 * 1024 * 1024
    messages_per_second: Annotated[float, Field(gt=0, le=10_000)] = 60.0
    message_burst: Annotated[int, Field(ge=1, le=10_000)] = 120
    idle_timeout_seconds: Annotated[float, Field(gt=0, le=86_400)] = 900.0
    # Admission (issue 12): a socket has this long to say hello; per-address caps admit a
    # class behind one NAT (60 connections within a second) but bound a single address.
    hello_timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = 10.0
    max_connections_per_address: Annotated[int, Field(ge=1, le=100_000)] = 128
    connections_per_second_per_address: Annotated[float, Field(gt=0, le=10_000)] = 20.0
    connection_burst_per_address: Annotated[int, Field(ge=1, le=100_000)] = 80
    trust_forwarded_for: bool = False
    # Issue 20. The proxies whose X-Forwarded-For is believed when trust_forwarded_for is set
    # (uvicorn's forwarded_allow_ips); nobody else's header is read.
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    # Transport limits, below the app (app/web/transport.py, docs/deploy.md).
    request_head_timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = 10.0
    control_frames_per_second: Annotated[float, Field(gt=0, le=10_000)] = 5.0
    max_write_buffer_bytes: Annotated[int, Field(ge=65536, le=1 << 30)] = 4 * 1024 * 1024
    message_timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = 30.0
    max_buffered_message_bytes: Annotated[int, Field(ge=1 << 20, le=1 << 34)] = 32 * 1024 * 1024
    # Work off the event loop (app/web/offload.py): an export gets this long in its process.
    export_timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 10.0
    # Slots (app/web/slots.py): a session idle this long gives its slot to a new student
    # when the server is full.
    reclaim_idle_seconds: Annotated[float, Field(ge=0, le=86_400)] = 10.0
    # The supervisor replaces a worker whose loop has not beaten for this long.
    watchdog_timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = 10.0
    # /healthz details (pids, CPU per session) for everyone, not only for local requests.
    health_details: bool = False
    # Signs the per-browser identity cookie; empty: a random key per start (cli.py).
    secret_key: str = ""
    send_timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = 20.0
    max_frames_per_second: Annotated[float, Field(gt=0, le=240)] = 30.0
    checkpoint_interval_seconds: Annotated[float, Field(gt=0, le=3600)] = 1.0
    # How long a stopping worker may take to hand every client its final checkpoint and close
    # (drain.py); a client that stopped reading is dropped when it runs out.
    shutdown_grace_seconds: Annotated[float, Field(gt=0, le=600)] = 5.0
    max_layers: Annotated[int, Field(ge=0, le=10)] = 6
    max_neurons: Annotated[int, Field(ge=1, le=16)] = 8
    max_custom_points: Annotated[int, Field(ge=0, le=100_000)] = 2000
    allowed_origins: tuple[str, ...] = ()
    # Host names the server answers to; empty = loopback names on a loopback bind, else any.
    allowed_hosts: tuple[str, ...] = ()
    # The digits workspace (/digits, docs/digits.md): where full MNIST and Fashion-MNIST are
    # looked for (and `nn-playground data fetch` writes; empty = ~/.local/share/nn-playground;
    # classes live there too), how many digits sessions one worker runs, and what one of them
    # may build and use.
    data_dir: Path | None = None
    digits_max_sessions: Annotated[int, Field(ge=0, le=10_000)] = 50
    digits_max_units: Annotated[int, Field(ge=1, le=1024)] = 1024
    digits_max_params: Annotated[int, Field(ge=1000, le=3_000_000)] = 1_000_000
    digits_max_train_images: Annotated[int, Field(ge=100, le=60_000)] = 60_000
    digits_max_test_images: Annotated[int, Field(ge=100, le=10_000)] = 10_000
    # The classroom (issue 22, docs/deploy.md): classes live in SQLite in `data_dir` (above)
    # unless `redis_url` names a Redis shared by several machines.
    redis_url: Annotated[str, Field(pattern=r"^(redis|rediss|unix)://")] | None = None
    max_class_size: Annotated[int, Field(ge=1, le=10_000)] = 200
    class_idle_hours: Annotated[float, Field(gt=0, le=24 * 365)] = 12.0
    # Joins (and classes made) per client address: a class behind one NAT joins at once.
    join_burst_per_address: Annotated[int, Field(ge=1, le=100_000)] = 60
    joins_per_second_per_address: Annotated[float, Field(gt=0, le=10_000)] = 1.0

    @field_validator("allowed_origins", "allowed_hosts", "trusted_proxies", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        """Accept a comma-separated string from the environment."""
        if isinstance(value, str):
            return tuple(item.strip().rstrip("/") for item in value.split(",") if item.strip())
        return value

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> "Settings":
        """Build settings from `NN_PLAYGROUND_<FIELD>` variables; explicit overrides win."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            raw = env.get(ENV_PREFIX + name.upper())
            if raw is not None and raw != "":
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)
