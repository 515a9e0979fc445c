// UrlHash: the page's state as the URL hash holds it (state.js parses and serialises it). Reads
// it on load and after a hand edit, gives the page a seed when the link has none, and writes the
// state back with replaceState so the back button is not flooded.
// Trade-off: the page's own writes are recognised by comparing the serialised text, so a
// `hashchange` caused by them is not mistaken for a hand edit.

import { makeSeed, parseHash, serializeState } from "./state.js";

export class UrlHash {
  constructor() {
    this.state = {};
    this.written = null; // location.hash as our last write left it
    this.read();
  }

  /** Parse location.hash (a missing seed is made) and write back the canonical form. */
  read() {
    this.state = parseHash(location.hash);
    if (this.state.seed == null) this.state.seed = makeSeed();
    this.write();
  }

  /** Put `state` into the URL unless it is there already. */
  write() {
    const body = serializeState(this.state);
    if (location.hash.slice(1) !== body) history.replaceState(null, "", `#${body}`);
    this.written = location.hash.slice(1); // as the browser keeps it (it may escape characters)
  }

  /**
   * True when someone else (a pasted link, a lesson step) changed the hash since our last write
   * and its `hashchange` has not been handled yet: a server answer then must not overwrite it.
   */
  changedElsewhere() {
    return location.hash.slice(1) !== this.written;
  }

  /** On `hashchange`: true (and re-read) when the hash now differs from our state. */
  editedByHand() {
    if (location.hash.slice(1) === serializeState(this.state)) {
      this.written = location.hash.slice(1);
      return false;
    }
    this.read();
    return true;
  }
}
