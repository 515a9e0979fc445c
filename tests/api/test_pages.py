"""HTTP surface: the page, the health check, static assets and security headers."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app import __version__
from app.web.config import Settings
from app.web.main import create_app


@pytest.fixture(scope="module")
def client() -> Any:
    # A loopback-bound app answers loopback Host names only (DNS rebinding guard).
    with TestClient(create_app(Settings.from_env()), base_url="http://localhost") as client:
        yield client


def test_index_renders_the_playground_page(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>NN Playground" in response.text


def test_healthz_tells_the_public_only_that_it_is_healthy(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}  # TestClient is not loopback


def test_healthz_details_need_a_setting() -> None:
    app = create_app(Settings.from_env(health_details=True))
    with TestClient(app, base_url="http://localhost") as client:
        body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["version"] == __version__
    assert isinstance(body["pid"], int) and body["session_cpu_seconds"] == []


def test_static_assets_are_served_with_a_javascript_type(client: TestClient) -> None:
    response = client.get("/static/js/main.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]


def test_favicon_link_points_at_a_real_file(client: TestClient) -> None:
    assert 'href="/static/favicon.svg"' in client.get("/").text  # relative: proxy-safe
    assert client.get("/static/favicon.svg").status_code == 200


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/", "/healthz", "/static/favicon.svg", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-eval" not in csp and "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in csp and headers["x-frame-options"] == "DENY"


def test_unknown_path_is_a_plain_404(client: TestClient) -> None:
    assert client.get("/no-such-page").status_code == 404


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("path", ["/nothing-here", "/lessons/extra/deep", "/static-ish"])
def test_an_unknown_page_is_an_html_404_with_a_way_home(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"accept": BROWSER_ACCEPT})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert 'id="home-link" href="/"' in response.text and 'href="/lessons"' in response.text
    assert f"<code>{path}</code>" in response.text
    assert "content-security-policy" in response.headers  # the same headers as every page


def test_the_404_page_escapes_the_address_it_names(client: TestClient) -> None:
    response = client.get("/%3Cscript%3Ealert(1)%3C/script%3E", headers={"accept": BROWSER_ACCEPT})
    assert response.status_code == 404
    assert "<script>alert" not in response.text and "&lt;script&gt;" in response.text


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/nothing-here", "application/json"),
        ("/nothing-here", "*/*"),  # curl and most programs
        ("/lessons/nope.json", BROWSER_ACCEPT),  # the API stays JSON even for a browser
        ("/static/js/nope.js", "*/*"),
    ],
)
def test_programs_and_the_api_keep_a_json_404(client: TestClient, path: str, accept: str) -> None:
    response = client.get(path, headers={"accept": accept})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert "detail" in response.json()


def test_other_errors_keep_their_json(client: TestClient) -> None:
    response = client.post("/healthz", headers={"accept": BROWSER_ACCEPT})
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}


def test_an_unknown_websocket_path_is_refused(client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/no-such-socket"):
        pass
