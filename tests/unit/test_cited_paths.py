"""Every file the code and docs cite is in the repository (issue 21, item 4).

Comments and docstrings in app/, static/ and tests/, and the whole of docs/, name files
(`app/web/runner.py`, `docs/protocol.md`, `session.py`) and sections of the rules docs
(`docs/playground-rules.md §4.5`). A file that moved or never was here (the old
`spec/playground.md`, `design.md`, `experiment.py`) fails this test, and so does a section
number the cited doc does not have. Strings in code are not read: they hold the names of
files tests write, which are not citations.
"""

import ast
import io
import re
import subprocess
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CITED_IN = ("app", "static", "tests", "docs")
EXTENSIONS = ("py", "js", "mjs", "md", "html", "css", "toml", "json", "yaml", "yml", "png")
PATH = re.compile(r"[\w./-]+\.(?:" + "|".join(EXTENSIONS) + r")\b")
SECTION = re.compile(r"(docs/[\w-]+\.md),? §(\d+(?:\.\d+)?)")
HEADING = re.compile(r"^#+ (\d+(?:\.\d+)?)[. ]", re.MULTILINE)
JS_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
# Names a text gives as examples of files a user makes, and routes that look like files.
EXAMPLES = {"circle-2.toml", "./x.js", "live.json"}


def tracked() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [line for line in out.stdout.splitlines() if (ROOT / line).exists()]


FILES = tracked()
NAMES = {Path(f).name for f in FILES}


def python_prose(source: str) -> str:
    """The comments and docstrings of a Python file."""
    comments = [
        tok.string
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.COMMENT
    ]
    nodes = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Module | ast.ClassDef |
             ast.FunctionDef | ast.AsyncFunctionDef)]  # fmt: skip
    docstrings = [ast.get_docstring(n, clean=False) or "" for n in nodes]
    return "\n".join(comments + docstrings)


def prose(path: str) -> str:
    text = (ROOT / path).read_text(encoding="utf-8")
    if path.endswith(".py"):
        return python_prose(text)
    if path.endswith((".js", ".mjs", ".css")):
        return "\n".join(JS_COMMENT.findall(text))
    return text  # markdown: all of it


def exists(ref: str, citing: str) -> bool:
    if "/" not in ref:
        return ref in NAMES
    if (ROOT / ref).exists() or (ROOT / citing).parent.joinpath(ref).resolve().exists():
        return True
    return any(f.endswith("/" + ref) for f in FILES)  # a path within a package: engine/gang.py


HERE = str(Path(__file__).resolve().relative_to(ROOT))  # it names the old paths on purpose
CITING = [f for f in FILES if f.startswith(CITED_IN) and f.endswith((".py", ".js", ".mjs",
          ".css", ".md")) and f != HERE]  # fmt: skip


@pytest.mark.parametrize("citing", CITING)
def test_every_cited_file_exists(citing: str) -> None:
    text = prose(citing)
    refs = {m.group(0).rstrip(".") for m in PATH.finditer(text)}
    missing = sorted(
        ref
        for ref in refs
        if not ref.startswith("/")  # a path on some machine, as in a deployment example
        and "://" not in ref
        and ref not in EXAMPLES
        and not exists(ref, citing)
    )
    assert missing == [], f"{citing} cites files that are not here: {missing}"
    for doc, number in SECTION.findall(text):
        numbers = HEADING.findall((ROOT / doc).read_text(encoding="utf-8"))
        assert number in numbers, f"{citing} cites {doc} §{number}, which has no such section"


def test_the_check_finds_what_it_should() -> None:
    """Not vacuous: the old citations fail, the new ones pass."""
    assert not exists("spec/playground.md", "app/engine/network.py")
    assert not exists("design.md", "app/web/outbox.py")
    assert not exists("experiment.py", "app/playground/errors.py")
    assert exists("docs/playground-rules.md", "app/engine/network.py")
    assert exists("engine/gang.py", "app/web/gangs.py")
    assert exists("../../static/js/state.js", "tests/js/state.test.mjs")
    assert "4.5" in HEADING.findall((ROOT / "docs/playground-rules.md").read_text())
    assert "design.md" in {m.group(0) for m in PATH.finditer(python_prose('"""See design.md."""'))}
