"""Web security from the browser's side (docs/architecture.md §5): what Chromium actually
does with the page, where tests/api/test_pages.py checks the HTTP headers themselves.

- A whole session (load, play, hover a neuron and a link, step) requests nothing from any
  other origin: no CDN, no font service, no analytics; the websocket is same-origin too.
- The Content-Security-Policy is enforced: an injected inline script, an inline event
  handler, a `javascript:` URL, `eval` and `new Function` never run. The same probe in a
  context that bypasses CSP shows each of them running, so the probe can tell.
- X-Content-Type-Options and Referrer-Policy arrive with the page, and the browser obeys
  the referrer policy: no request of the session carries a Referer.
"""

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Playground

pytestmark = pytest.mark.browser

CSP_REFUSALS = ("Content Security Policy",)  # Chromium logs each refusal as a console error
OFF = (1, 790)

# Injects five ways of running script and reports which ran and which CSP refused. The probe
# itself goes in through page.evaluate (DevTools, which CSP does not govern); what it injects
# runs as the page's own code would.
PROBE = """() => new Promise((resolve) => {
  const ran = [];
  const refused = [];
  window.__ran = ran;
  document.addEventListener('securitypolicyviolation', (e) => {
    refused.push(`${e.effectiveDirective} ${e.blockedURI}`);
  });
  const script = document.createElement('script');
  script.textContent = "window.__ran.push('inline script')";
  document.body.appendChild(script);
  const div = document.createElement('div');
  div.setAttribute('onclick', "window.__ran.push('inline handler')");
  document.body.appendChild(div);
  div.click();
  const link = document.createElement('a');
  link.href = "javascript:void window.__ran.push('javascript: url')";
  document.body.appendChild(link);
  link.click();
  // eval from a task of the page's own: DevTools lifts the eval rule for code it evaluates.
  let evaluated = false;
  setTimeout(() => {
    try { eval("window.__ran.push('eval')"); } catch (e) { refused.push(`eval ${e.name}`); }
    try { new Function("window.__ran.push('new Function')")(); }
    catch (e) { refused.push(`new Function ${e.name}`); }
    evaluated = true;
  }, 0);
  // The javascript: URL runs, or is refused, in a later task: wait for that too.
  const urlSettled = () => ran.includes('javascript: url')
    || refused.filter((r) => r === 'script-src-elem inline').length >= 2;
  // The eval violation report is queued as its own task, after eval throws: wait for it.
  const evalSettled = () => ran.includes('eval') || refused.includes('script-src eval');
  const started = performance.now();
  (function poll() {
    if ((evaluated && urlSettled() && evalSettled()) || performance.now() - started > 5000) {
      script.remove(); div.remove(); link.remove();
      resolve({ran: [...ran], refused: [...refused]});
    } else {
      setTimeout(poll, 10);
    }
  })();
})"""


def origin(url: str) -> str:
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return f"{scheme}://{parts.netloc}"


def test_a_whole_session_stays_on_its_own_origin_and_sends_no_referer(
    page: Any, live_server: Any
) -> None:
    requests: list[Any] = []
    sockets: list[str] = []
    page.on("request", lambda r: requests.append(r))
    page.on("websocket", lambda ws: sockets.append(ws.url))
    pg = Playground(page, live_server.url).open("seed=0.12345")
    page.click("#play-pause-button")
    expect(page.locator("#iter-number")).not_to_have_text("000,000")
    page.click("#play-pause-button")
    expect(page.locator("#play-pause-button")).to_have_attribute("aria-pressed", "false")
    page.hover("#node-1-0")
    expect(page.locator("#heatmap")).to_have_attribute("data-focus", "1-0")
    page.hover('[data-link="2-0-0"]')
    expect(page.locator("#hovercard")).to_be_visible()
    page.mouse.move(*OFF)
    epoch = int(pg.epoch().replace(",", ""))
    pg.step(1)
    pg.expect_epoch(f"{epoch + 1:06d}"[:3] + "," + f"{epoch + 1:06d}"[3:])

    urls = [r.url for r in requests]
    paths = {urlsplit(u).path for u in urls}
    assert {"/", "/static/js/app.js", "/static/css/style.css"} <= paths, paths  # it saw them
    own = origin(live_server.url)
    foreign = [u for u in urls + sockets if origin(u) != own]
    assert not foreign, f"requests to other origins: {foreign}"
    assert sockets == [f"{live_server.ws_url}"]
    # Referrer-Policy: no-referrer, as the browser applies it to every subresource (a
    # module worker's imports arrive with an empty Referer: that gives nothing away).
    with_referer = [r.url for r in requests if r.all_headers().get("referer")]
    assert not with_referer, with_referer


def test_the_page_arrives_with_a_strict_csp_nosniff_and_no_referrer(
    page: Any, live_server: Any
) -> None:
    response = page.goto(f"{live_server.url}/#seed=0.12345")
    assert response is not None and response.ok
    headers = response.all_headers()
    directives = {
        name: values
        for name, *values in (d.split() for d in headers["content-security-policy"].split(";"))
    }
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts == ["'self'"], directives
    for values in directives.values():
        assert not {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*"} & set(values)
    assert directives["object-src"] == ["'none'"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    # The same headers on the modules the page runs (a sniffed script would dodge CSP).
    module = page.request.get(f"{live_server.url}/static/js/app.js")
    assert module.headers["x-content-type-options"] == "nosniff"
    assert re.match(r"(text|application)/javascript", module.headers["content-type"])


def test_injected_script_never_runs(
    playground: Any, browser: Any, request: pytest.FixtureRequest
) -> None:
    request.node.allowed_page_problems = CSP_REFUSALS
    page = playground.open("seed=0.12345").page
    result = page.evaluate(PROBE)
    assert result["ran"] == [], result
    # Each one refused by the policy, not merely failing: the browser reported all five.
    refused = sorted(result["refused"])
    assert refused.count("script-src-elem inline") == 2, refused  # script element, js: URL
    assert "script-src-attr inline" in refused, refused  # the onclick attribute
    assert {"eval EvalError", "new Function EvalError", "script-src eval"} <= set(refused)
    # No inline script survives; the one src-less <script> is the registries' JSON data block,
    # which browsers never execute (so CSP need not allow it).
    inline = "() => [...document.querySelectorAll('script:not([src])')].map((s) => [s.id, s.type])"
    assert page.evaluate(inline) == [["registries", "application/json"]]
    playground.step(1)  # the page itself is unharmed

    # Control: the same probe where CSP is bypassed runs every one of them.
    context = browser.new_context(bypass_csp=True)
    try:
        bypassed = context.new_page()
        bypassed.goto(f"{playground.base_url}/#seed=0.12345")
        ran = bypassed.evaluate(PROBE)["ran"]
        assert set(ran) == {
            "inline script",
            "inline handler",
            "javascript: url",
            "eval",
            "new Function",
        }, ran
    finally:
        context.close()
