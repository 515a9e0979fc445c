"""ProtocolError: a client mistake, as the typed error message the client is sent.

What it is: the one exception type every validation layer raises for bad client input
(app/protocol/inbound.py, settings.py, session.py, checkpoint.py), and the translation of a pydantic
ValidationError into it, naming the field.
What it is not: for bugs; those are logged and reported as code `internal` by app/web/state.py.
Trade-off: only the first validation problem is reported, so messages stay one line.
"""

from typing import Any

from pydantic import ValidationError


class ProtocolError(Exception):
    """A client mistake: becomes `{"type": "error", code, field, message}`; nothing changes."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.field, self.message = code, field, message

    def to_message(self) -> dict[str, Any]:
        return {"type": "error", "code": self.code, "field": self.field, "message": self.message}


def from_validation(exc: ValidationError) -> ProtocolError:
    """The first validation problem as a typed error naming the field (e.g. settings.noise)."""
    err = exc.errors(include_url=False)[0]
    field = ".".join(str(part) for part in err["loc"] if not str(part).startswith("function-"))
    return ProtocolError("invalid_message", f"{field or 'message'}: {err['msg']}", field or None)


def settings_error(exc: ValidationError) -> ProtocolError:
    """A partial settings update's first problem, named under `settings.` (settings.noise,
    settings.layers.0.units): what a `set` or `hello` is refused with."""
    error = from_validation(exc)
    error.field = f"settings.{error.field}" if error.field else "settings"
    error.message = f"settings.{error.message}"
    return error
