// MiniMap: on a phone or tablet, a small copy of the output map in the play bar that sticks to the
// top of the screen (small-screens.css), shown once the big map has scrolled out of sight. So
// the map stays in view while the lesson text, the network or the settings are on screen: a
// tapped neuron's picture, or the background a lesson asks to watch, shows there. Tapping it
// scrolls back to the big map.
// Trade-off: the copy is one drawImage of the big map's 100×100 canvas, made only while the copy
// is shown and only when the big map was painted; the data points (SVG over the big map) are
// left out, at 52 px they would be a blur.

const SMALL = "(max-width: 899px)"; // as small-screens.css
const BAR = 64; // px of the screen's top that the play bar covers

export class MiniMap {
  /**
   * @param {HTMLButtonElement} button the play bar's #mini-map, holding a 100×100 canvas
   * @param {HTMLCanvasElement} source the big map's canvas
   * @param {HTMLElement} target the big map's box, watched and scrolled to
   */
  constructor(button, source, target) {
    this.canvas = button.querySelector("canvas");
    this.source = source;
    this.small = matchMedia(SMALL);
    this.away = false; // the big map is mostly out of sight
    new IntersectionObserver(([entry]) => this.#seen(entry.intersectionRatio >= 0.5), {
      threshold: [0, 0.5, 1],
      rootMargin: `-${BAR}px 0px 0px 0px`,
    }).observe(target);
    button.addEventListener("click", () => target.scrollIntoView({ block: "center", behavior: "smooth" }));
  }

  #seen(visible) {
    this.away = !visible;
    document.body.classList.toggle("map-away", this.away);
    this.update(true); // the copy may be older than the big map
  }

  /** The big map drew a frame: copy it if the small one shows. @param {boolean} painted */
  update(painted) {
    if (!painted || !this.away || !this.small.matches) return;
    const ctx = this.canvas.getContext("2d");
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(this.source, 0, 0, this.canvas.width, this.canvas.height);
  }
}
