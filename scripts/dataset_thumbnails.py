"""Write the dataset thumbnails of the DATA column to static/img/dataset-<name>.svg.

The playground draws these in the browser from its seeded stream (docs/playground-rules.md §2.8,
"Dataset thumbnails"); here the browser only draws, so they are static files made once from
`app.playground.datasets` with the same recipe: 200 points, noise 0, a 4×4 square per point at
(100·(x+6)/12, 100·(y+6)/12) on a 100×100 canvas (y not flipped, as in the playground), filled
with the continuous colour ramp. The multi-class datasets (labels 0…K−1) use the page's class
palette instead (colors.js CLASS_COLORS). Run `python scripts/dataset_thumbnails.py` after
changing a generator.
"""

from pathlib import Path

from app.playground.datasets import DATASETS, PlaygroundRandom

RAMP = ((0xF5, 0x93, 0x22), (0xE8, 0xEA, 0xEB), (0x08, 0x77, 0xBD))
CLASS_COLORS = ("#f59322", "#0877bd", "#2e9e55", "#8e5ac8")  # colors.js CLASS_COLORS
OUT = Path(__file__).resolve().parent.parent / "static" / "img"


def ramp(v: float) -> str:
    """The continuous ramp at v (clamped to [-1, 1]) as #rrggbb (colors.js rampColor)."""
    t = max(-1.0, min(1.0, v))
    a, b, f = (RAMP[0], RAMP[1], t + 1) if t < 0 else (RAMP[1], RAMP[2], t)
    return "#" + "".join(f"{round(a[i] + (b[i] - a[i]) * f):02x}" for i in range(3))


def color(label: float, classes: int) -> str:
    """A point's fill: its class colour for K > 2 classes, else the ramp at its label."""
    return CLASS_COLORS[int(label)] if classes > 2 else ramp(label)


def thumbnail(name: str) -> str:
    dataset = DATASETS[name]
    X, y = dataset.fn(200, 0.0, PlaygroundRandom("thumbnails"))
    rects = "".join(
        f'<rect x="{100 * (px + 6) / 12:.1f}" y="{100 * (py + 6) / 12:.1f}" '
        f'width="4" height="4" fill="{color(label, dataset.classes)}"/>'
        for (px, py), label in zip(X, y, strict=True)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="100" '
        f'height="100"><rect width="100" height="100" fill="#fff"/>{rects}</svg>\n'
    )


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for key in DATASETS:
        (OUT / f"dataset-{key}.svg").write_text(thumbnail(key))
        print(f"wrote {OUT / f'dataset-{key}.svg'}")
