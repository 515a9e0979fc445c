// Where a browser keeps its class membership: {code, token, name} in localStorage, written by the
// join page (classroom/join.js) and read by the playground page (class-member.js). Pure: no DOM.
// Trade-off: localStorage, not sessionStorage, so a student who closes the tab and comes back is
// still in the class; "leave" on the badge forgets it.

export const CLASS_STORE = "nn-playground.class";

/** The membership this browser holds ({code, token, name}), or null. */
export function readMembership() {
  try {
    const value = JSON.parse(localStorage.getItem(CLASS_STORE) || "null");
    return value && typeof value.code === "string" && typeof value.token === "string" ? value : null;
  } catch {
    return null;
  }
}
