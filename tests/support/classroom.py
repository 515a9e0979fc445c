"""A teacher and students over plain HTTP and websockets, for the classroom tests and the
benchmark: make a class, join it, read the dashboard's data, steer the class.

What it is: `Teacher` (the routes under /teach/<code>/<key>) and `join` (POST /c/<code>/join).
What it is not: a browser (tests/browser/test_classroom_pages.py drives real pages).
Trade-off: the standard library's urllib, so the benchmark needs nothing more than the app.
"""

import json
import re
import urllib.error
import urllib.request
from typing import Any


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def call(url: str, body: Any = None, method: str | None = None) -> tuple[int, Any, dict[str, str]]:
    """(status, parsed JSON or text, headers) of one request; never raises on HTTP errors."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method or ("POST" if data else "GET"))
    if data is not None:
        request.add_header("content-type", "application/json")
    try:
        with _opener.open(request, timeout=10) as response:
            status, raw, headers = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as err:
        status, raw, headers = err.code, err.read(), dict(err.headers)
    text = raw.decode()
    try:
        return status, json.loads(text), headers
    except ValueError:
        return status, text, headers


class Teacher:
    """A class made through POST /teach; `base` is the dashboard's address (with the key)."""

    def __init__(self, server: str) -> None:
        status, _, headers = call(f"{server}/teach", method="POST")
        assert status == 303, status
        match = re.fullmatch(r"/teach/([A-Z0-9]{6})/([\w-]+)", headers["location"])
        assert match, headers["location"]
        self.server, self.code, self.key = server, match[1], match[2]
        self.base = f"{server}/teach/{self.code}/{self.key}"

    def post(self, path: str, body: dict[str, Any]) -> Any:
        status, answer, _ = call(f"{self.base}/{path}", body)
        assert status == 200, (status, answer)
        return answer

    def live(self) -> dict[str, Any]:
        status, answer, _ = call(f"{self.base}/live.json")
        assert status == 200, (status, answer)
        return dict(answer)


def join(server: str, code: str, name: str, token: str | None = None) -> dict[str, Any]:
    status, answer, _ = call(f"{server}/c/{code}/join", {"name": name, "token": token})
    assert status == 200, (status, answer)
    return dict(answer)
