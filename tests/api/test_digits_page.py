"""The digits page's markup around its modules: every module it loads is preloaded, and
nothing preloaded is dead (the playground page's rule, tests/api/test_page_modules.py)."""

import re
from pathlib import Path

from fastapi.testclient import TestClient

from app.web.config import Settings
from app.web.main import create_app

STATIC = Path(__file__).resolve().parents[2] / "static"
IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*)["'](\.{1,2}/[\w/-]+\.js)["']""")


def import_graph(entry: str) -> set[str]:
    """Every module reachable from `entry` (a path under static/), as paths under static/."""
    seen: set[str] = set()
    todo = [entry]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        folder = (STATIC / name).parent
        for target in IMPORT.findall((STATIC / name).read_text(encoding="utf-8")):
            todo.append(str((folder / target).resolve().relative_to(STATIC)))
    return seen


def test_the_digits_page_preloads_exactly_its_import_graph() -> None:
    app = create_app(Settings.from_env())
    with TestClient(app, base_url="http://localhost") as client:
        page = client.get("/digits").text
    hrefs = re.findall(r'<link rel="modulepreload" href="/static/([\w/-]+\.js)">', page)
    graph = import_graph("js/digits/main.js")
    assert {"js/digits/app.js", "js/socket.js", "js/dom.js", "js/colors.js"} <= graph
    assert len(hrefs) == len(set(hrefs))
    assert set(hrefs) == graph
    assert {f"js/digits/{p.name}" for p in (STATIC / "js" / "digits").glob("*.js")} <= graph
