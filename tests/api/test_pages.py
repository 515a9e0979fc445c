"""HTTP surface: the page, the health check, static assets and security headers."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

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


def test_healthz_reports_status_and_version(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["version"] == __version__


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
