"""The page's markup around its modules: the preload list is exactly the import graph of
static/js, the server's message limit reaches the page, and dead markup stays gone."""

import re
from pathlib import Path

from fastapi.testclient import TestClient

from app.web.config import Settings
from app.web.main import create_app

JS = Path(__file__).resolve().parents[2] / "static" / "js"
IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*|new URL\(\s*)["']\./([\w-]+\.js)["']""")


def import_graph(entry: str = "main.js") -> set[str]:
    """Every module reachable from `entry` through static imports, bare imports and the
    `new URL("./x.js", import.meta.url)` a worker is started from."""
    seen: set[str] = set()
    todo = [entry]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += IMPORT.findall((JS / name).read_text(encoding="utf-8"))
    return seen


def _page(**settings: object) -> str:
    app = create_app(Settings.from_env(**settings))
    with TestClient(app, base_url="http://localhost") as client:  # a loopback Host name
        return client.get("/").text


def test_the_import_graph_reader_follows_imports() -> None:
    graph = import_graph("app.js")
    assert {"app.js", "dom.js", "registries.js", "render-loop.js", "links-canvas.js"} <= graph
    assert "main.js" not in graph  # nothing imports the entry point


def test_the_preload_list_is_every_module_of_the_import_graph() -> None:
    hrefs = re.findall(r'<link rel="modulepreload" href="/static/js/([\w-]+\.js)">', _page())
    assert len(hrefs) == len(set(hrefs))
    assert set(hrefs) == import_graph()
    assert set(hrefs) == {p.name for p in JS.glob("*.js")}  # and no module is dead


def test_the_page_carries_the_servers_message_limit() -> None:
    assert 'data-max-message-bytes="4096"' in _page(max_message_bytes=4096)
    assert f'data-max-message-bytes="{2 * 1024 * 1024}"' in _page()


def test_the_unused_arrow_marker_is_gone() -> None:
    assert "markerArrow" not in _page()
    assert "markerArrow" not in (JS.parent / "css" / "style.css").read_text(encoding="utf-8")
