"""Settings come from NN_PLAYGROUND_* variables, are validated, and find the assets."""

import pytest
from pydantic import ValidationError

from app.web.cli import parse_args
from app.web.config import Settings


def test_defaults_bind_localhost_port_8000() -> None:
    settings = Settings.from_env({})
    assert (settings.host, settings.port, settings.workers) == ("127.0.0.1", 8000, 1)


def test_environment_variables_are_read_and_typed() -> None:
    env = {"NN_PLAYGROUND_PORT": "9123", "NN_PLAYGROUND_ALLOWED_ORIGINS": "https://a.b/, http://c"}
    settings = Settings.from_env(env)
    assert settings.port == 9123
    assert settings.allowed_origins == ("https://a.b", "http://c")


def test_explicit_overrides_beat_the_environment() -> None:
    assert Settings.from_env({"NN_PLAYGROUND_PORT": "9123"}, port=8080).port == 8080


@pytest.mark.parametrize(
    ("name", "value"),
    [("PORT", "70000"), ("WORKERS", "0"), ("MAX_SESSIONS", "lots"), ("MAX_LAYERS", "99")],
)
def test_bad_values_are_refused_with_the_field_name(name: str, value: str) -> None:
    with pytest.raises(ValidationError, match=name.lower()):
        Settings.from_env({f"NN_PLAYGROUND_{name}": value})


def test_resolved_asset_directories_exist() -> None:
    settings = Settings.from_env({})
    assert (settings.static_dir / "js").is_dir()
    assert (settings.templates_dir / "index.html").is_file()


def test_cli_flags_are_parsed() -> None:
    args = parse_args(["--host", "0.0.0.0", "--port", "8001", "--workers", "2"])
    assert (args.host, args.port, args.workers) == ("0.0.0.0", 8001, 2)
