// Reconnect rules of the page (docs/protocol.md §9): what a close code asks for, what the answer
// to the page's /socket-check probe means, and how long to wait before the next try. Pure, so the
// node tests pin them; app/protocol/reconnect.py holds the same rules for the Python client.
// Trade-off: a browser reports a refused handshake (HTTP 403 from the origin check) exactly as it
// reports a dead replica behind a balancer (close 1006, no status), so the page asks the server
// over plain HTTP whether it would admit this page; only a "no" from the server is a refusal,
// while a balancer's 502/503 or no answer at all is a failing upstream, retried with backoff.

export const CLOSE_GOING_AWAY = 1001; // the server closed an idle session
export const CLOSE_POLICY = 1008; // refused: origin, host, too many bad messages
export const CLOSE_ABNORMAL = 1006; // no close frame: a refused handshake or a dead line
export const CLOSE_SERVICE_RESTART = 1012; // a stopping worker, after its final checkpoint
export const CLOSE_RECLAIMED = 4001; // the server was full: this idle tab's place went to another student

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 8000;
const RESTART_SPREAD_MS = 100; // a drained class reconnects at once, spread over this much

/**
 * What a close asks of the page.
 * @param {number} code the close event's code
 * @returns {"now"|"backoff"|"idle"|"reclaimed"|"refused"} idle and reclaimed wait for the person
 */
export function afterClose(code) {
  if (code === CLOSE_SERVICE_RESTART) return "now";
  if (code === CLOSE_GOING_AWAY) return "idle";
  if (code === CLOSE_RECLAIMED) return "reclaimed";
  if (code === CLOSE_POLICY) return "refused";
  return "backoff";
}

/**
 * The wait before the next try, in ms: "now" within RESTART_SPREAD_MS; otherwise 250 ms doubling
 * up to 8 s, of which a random half ("equal jitter"), so a class does not come back in lockstep.
 * @param {number} attempt tries since the last answered connection (0 = the first retry)
 * @param {string} how afterClose's answer
 * @param {() => number} [random] Math.random by default
 */
export function retryDelayMs(attempt, how, random = Math.random) {
  if (how === "now") return random() * RESTART_SPREAD_MS;
  const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempt));
  return ceiling / 2 + (random() * ceiling) / 2;
}

/**
 * What the answer to `POST /socket-check` says about a handshake that failed.
 * @param {number|null} status the HTTP status, or null when nothing answered
 * @param {object|null} body the JSON body, when there was one
 * @returns {"refused"|"upstream"|"unreachable"} refused: the server (or its host guard) does not
 *   admit this page; upstream: it would, so the failure was on the way (a balancer still sending
 *   the socket to a dead replica); unreachable: nothing usable answered
 */
export function afterProbe(status, body) {
  if (status === 200 && body && body.admitted === false) return "refused";
  if (status === 200 && body && body.admitted === true) return "upstream";
  if (status === 400 || status === 403) return "refused"; // the host guard, or a proxy's own no
  return "unreachable";
}
