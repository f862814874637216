"""Issue 20, class 0: a hostile page requests nothing. A model whose file name and
words hold plotly's own markup (`<span style="mask-image:url(...)">`, `<a href>`,
`&#47;` for the slashes) is mapped; headless Chromium opens the page and
searches a word beside the hostile ones, and a loopback server that the markup
points at hears nothing. The markup shows as typed."""

from __future__ import annotations

import http.server
import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from chromium import Chromium  # noqa: E402
from test_atlas_browser import NEAR, POINTS, browser_or_skip, outside  # noqa: E402


class Heard(http.server.BaseHTTPRequestHandler):
    heard: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        Heard.heard.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_a_hostile_page_requests_nothing(run, trained, tmp_path):
    chromium = browser_or_skip()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Heard)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"http:&#47;&#47;127.0.0.1:{server.server_port}&#47;"
    try:
        d = json.loads(trained.read_text())
        d.pop("checksum")
        words = d["vocab"]["words"]
        hostile = [f'<span style="mask-image:url({host}word)">chuck</span>',
                   f'<a href="{host}link">click</a>',
                   f'<img src="{host}img">',
                   "&lt;b&gt;"]
        words[:len(hostile)] = hostile
        name = f'm<span style="mask-image:url({host}name)">.json'
        (tmp_path / name).write_text(json.dumps(d))
        result = run("atlas", "--model", name, "--output", "atlas.html", "-n", "50")
        assert result.exit_code == 0, result.output + result.stderr
        with Chromium(chromium, tmp_path / "profile") as browser:
            browser.open(tmp_path / "atlas.html")
            assert browser.wait_until(POINTS.format(i=0, t=1)) == len(words)
            plain = next(w for w in words if w not in hostile)
            browser.type("#search-0", plain)
            near = browser.wait_until(NEAR.format(i=0))
            assert set(hostile) <= set(near)  # every word of the model is near: all drawn
            browser.type("#search-0", "")
            time.sleep(1.0)
            shown = browser.evaluate("document.getElementById('map-0').innerText + "
                                     "Array.from(document.querySelectorAll('#map-0 text'))"
                                     ".map(t => t.textContent).join(' ')")
            assert "<span style=" in shown  # the title as typed, not as markup
            assert browser.evaluate("document.querySelectorAll('#map-0 a').length") == 0
            assert outside(browser.requests()) == []
            assert browser.errors() == []
        assert Heard.heard == []
    finally:
        server.shutdown()
        server.server_close()
