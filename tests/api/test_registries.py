"""The registries are the only truth: a row added in Python reaches the settings, the rendered
page and the page's JSON island, and no static/js module keeps its own copy of a name list."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.playground import registry
from app.playground.datasets import DATASETS, Dataset
from app.playground.features import FEATURE_ORDER
from app.playground.registry import page_registries
from app.playground.settings import PlaygroundSettings, merge_settings
from app.web.config import Settings
from app.web.main import create_app

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "static" / "js"


class _Island(HTMLParser):
    """Collects the text of <script id="registries"> and every (tag, attrs) seen."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.text = ""
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.inside = tag == "script" and dict(attrs).get("id") == "registries"

    def handle_endtag(self, tag: str) -> None:
        self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.text += data


def _page(**settings: Any) -> _Island:
    app = create_app(Settings.from_env(**settings))
    with TestClient(app, base_url="http://localhost") as client:  # a loopback Host name
        response = client.get("/")
    assert response.status_code == 200
    parsed = _Island()
    parsed.feed(response.text)
    return parsed


def _options(page: _Island, select_id: str) -> list[str]:
    """Option values of one <select>, in page order."""
    values, inside = [], False
    for tag, attrs in page.tags:
        if tag == "select":
            inside = attrs.get("id") == select_id
        elif tag == "option" and inside:
            values.append(str(attrs.get("value")))
    return values


def test_the_json_island_carries_the_registries() -> None:
    island = json.loads(_page().text)
    assert island == json.loads(json.dumps(page_registries()))
    # Order is meaning here (input nodes, dataset buttons, selects): the island keeps Python's.
    assert list(island["features"]) == list(FEATURE_ORDER)
    assert list(island["datasets"]) == list(DATASETS)
    assert list(island["optimizers"])[:2] == ["sgd", "rmsprop"]
    assert island["datasets"]["spiral3"] == {
        "label": "Three arms",
        "problem": "multiclass",
        "classes": 3,
    }
    assert island["optimizers"]["adam"]["defaults"]["beta_2"] == 0.999  # Keras 3's default
    assert [s["label"] for s in island["speeds"]][-1] == "max"


def test_a_new_dataset_row_reaches_settings_page_and_json(monkeypatch: pytest.MonkeyPatch) -> None:
    moons = Dataset("moons", "classification", "Two moons", 500, DATASETS["circle"].fn)
    monkeypatch.setitem(DATASETS, "moons", moons)
    page = _page()
    buttons = [a for tag, a in page.tags if tag == "button" and a.get("data-dataset") == "moons"]
    assert len(buttons) == 1 and buttons[0]["aria-label"] == "Two moons"
    assert json.loads(page.text)["datasets"]["moons"]["label"] == "Two moons"
    assert merge_settings(PlaygroundSettings(), {"dataset": "moons"}).dataset == "moons"
    # …and only as a classification dataset: the registry says which field it belongs to.
    with pytest.raises(Exception, match="reg_dataset"):
        merge_settings(PlaygroundSettings(), {"reg_dataset": "moons"})


def test_a_new_activation_reaches_settings_select_and_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "HIDDEN_ACTIVATIONS", (*registry.HIDDEN_ACTIVATIONS, "swish"))
    monkeypatch.setitem(registry.ACTIVATION_LABELS, "swish", "Swish")
    page = _page()
    assert _options(page, "activations") == ["relu", "tanh", "sigmoid", "linear", "swish"]
    assert json.loads(page.text)["activations"]["swish"] == "Swish"
    assert PlaygroundSettings(activation="swish").activation == "swish"


def test_a_removed_loss_disappears_and_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(registry.LOSS_ROWS, "mse")
    assert "mse" not in json.loads(_page().text)["losses"]
    with pytest.raises(Exception, match="loss"):
        PlaygroundSettings(loss="mse")
    assert registry.valid_losses("regression") == ("playground",)


def test_the_top_bar_selects_list_the_registries() -> None:
    page = _page()
    assert _options(page, "learningRate")[0] == "0.00001"  # the playground's URL form, not 1e-05
    assert _options(page, "speed") == ["1", "5", "15", "60", "240", "1000", "max"]
    assert _options(page, "regularRate")[:2] == ["0", "0.001"]
    assert _options(page, "problem") == ["classification", "regression"]


def test_the_node_tests_registry_file_is_current() -> None:
    """tests/js/registries.json stands in for the island in node; regenerate it with
    `python -m app.playground.registry > tests/js/registries.json` when this fails."""
    saved = json.loads((ROOT / "tests" / "js" / "registries.json").read_text(encoding="utf-8"))
    assert saved == json.loads(json.dumps(page_registries()))


def test_mode_reasons_say_what_leaves_the_playground() -> None:
    base = PlaygroundSettings()
    assert base.mode == "playground" and base.mode_reasons == []
    nesterov = base.model_copy(update={"optimizer_options": {"nesterov": True}})
    assert nesterov.mode_reasons == []  # no momentum: still plain SGD
    adam = base.model_copy(update={"optimizer": "adam", "shuffle": True})
    assert adam.mode_reasons == ["the Adam optimizer", "shuffling each epoch"]
    many = base.model_copy(
        update={
            "optimizer_options": {"momentum": 0.9, "decay": 0.1},
            "loss": "mse",
            "initializer": "he_normal",
        }
    )
    assert many.mode_reasons == [
        "SGD with momentum 0.9",
        "learning-rate decay 0.1",
        "mean squared error loss",
        "the he_normal initializer",
    ]
    assert many.mode == "keras"


# ---- no JS module keeps its own copy of a registry's names ----


def _names_by_registry() -> dict[str, set[str]]:
    """Each registry's names; one- and two-letter names (x, y) are too common to be evidence."""
    regs = page_registries()
    groups = ("datasets", "features", "activations", "losses", "optimizers", "initializers")
    return {g: {n for n in regs[g] if len(n) > 2} for g in groups}


def _strip_comments(source: str) -> str:
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    return re.sub(r"(^|\s)//.*", "", source)


def hard_coded_lists(source: str, window: int = 400) -> list[str]:
    """Registries of which ≥ 3 names appear, quoted or as object keys, within `window` chars."""
    code = _strip_comments(source)
    found = []
    for group, names in _names_by_registry().items():
        pattern = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        spots = [
            (m.start(), m.group(2) or m.group(3))
            for m in re.finditer(rf"""(["'])({pattern})\1|(?<![.\w-])({pattern})\s*:""", code)
        ]
        for i, (start, _) in enumerate(spots):
            near = {name for pos, name in spots[i:] if pos - start <= window}
            if len(near) >= 3:
                found.append(f"{group}: {sorted(near)}")
                break
    return found


def test_the_scan_finds_a_planted_list() -> None:
    assert hard_coded_lists('const D = ["circle", "xor", "spiral"];') == [
        "datasets: ['circle', 'spiral', 'xor']"
    ]
    assert hard_coded_lists("const A = { relu: 1, tanh: 2, sigmoid: 3 };")
    assert hard_coded_lists('x = "circle"; // and "xor", "spiral" in a comment') == []


@pytest.mark.parametrize("module", sorted(p.name for p in JS.glob("*.js")))
def test_no_js_module_hard_codes_a_registry(module: str) -> None:
    assert hard_coded_lists((JS / module).read_text(encoding="utf-8")) == []
