// The word for "press on the screen" that fits the pointer at hand: a touch screen, which cannot
// hover, reads "tap"; a mouse reads "click". Texts in the template do the same in CSS
// (.on-touch / .on-mouse in style.css); this is for texts written by script.
// Trade-off: the media query is read when the text is written, so a tablet that gains a mouse
// gets the new word with the next text, not at once.

/** Whether the primary pointer cannot hover (a phone, a tablet). */
export const touchScreen = () => typeof matchMedia === "function" && matchMedia("(hover: none)").matches;

/** "tap" on a touch screen, "click" otherwise. */
export const clickWord = () => (touchScreen() ? "tap" : "click");
