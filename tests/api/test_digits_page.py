"""The digits page's markup around its modules: every module it loads is preloaded, and
nothing preloaded is dead (the playground page's rule, tests/api/test_page_modules.py)."""

import re
from pathlib import Path

from fastapi.testclient import TestClient

from app.web.config import Settings
from app.web.main import create_app

STATIC = Path(__file__).resolve().parents[2] / "static"
IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*)["'](\.{1,2}/[\w/-]+\.js)["']""")


def imports(module: str) -> list[str]:
    """The modules `module` (a path under static/) imports, as paths under static/; the
    digits modules import their siblings (./) and the playground's shared ones (../)."""
    text = (STATIC / module).read_text(encoding="utf-8")
    here = (STATIC / module).parent
    return [str((here / t).resolve().relative_to(STATIC)) for t in IMPORT.findall(text)]


def import_graph(entry: str, seen: set[str] | None = None) -> set[str]:
    """Every module reachable from `entry`, depth first."""
    seen = set() if seen is None else seen
    seen.add(entry)
    for module in imports(entry):
        if module not in seen:
            import_graph(module, seen)
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
