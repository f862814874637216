"""The atlas in a real browser: headless Chromium opens the page from disk, the
map renders with no console error and no request leaving the page, and typing
a word in the search box shows the same nearest words gensim finds.

Needs Chromium (Debian: `apt-get install chromium`; or set TLM_CHROMIUM to a
Chromium or Chrome binary) and websocket-client (in the test extra); skipped
with the reason otherwise. Also a command, for the README's screenshot:

    python tests/test_atlas_browser.py emma-atlas.html --search emma --screenshot docs/atlas.png
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
from chromium import Chromium, find_chromium, websocket_client_missing  # noqa: E402
from conftest import write_vectors  # noqa: E402

from tlm import vectors as tv  # noqa: E402

#: Points of the first trace (every mapped word) of map i.
POINTS = "document.querySelectorAll('#map-{i} .scatterlayer .trace:nth-child({t}) .point').length"
NEAR = "Array.from(document.querySelectorAll('#near-{i} li')).map(li => li.dataset.word)"


def browser_or_skip() -> str:
    reason = websocket_client_missing()
    if reason:
        pytest.skip(reason)
    path = find_chromium()
    if path is None:
        pytest.skip("no Chromium installed (apt-get install chromium, or set TLM_CHROMIUM)")
    return path


def outside(urls: list[str]) -> list[str]:
    return [u[:80] for u in urls if not u.startswith(("file:", "data:", "about:", "blob:"))]


def planted_vectors(folder: Path) -> Path:
    """60 random words in 128 dimensions (so the page keeps them as float16),
    written as a word2vec text file, with queen = king - man + woman (plus a
    little noise) planted."""
    rng = np.random.default_rng(3)
    words = ["king", "queen", "man", "woman", "wood"] + [f"w{i}" for i in range(55)]
    vectors = rng.normal(size=(len(words), 128))
    vectors[1] = vectors[0] - vectors[2] + vectors[3] + 0.1 * rng.normal(size=128)
    return write_vectors(folder / "vectors.txt", words, vectors)


#: How far a cosine the page computes (8-bit vectors, tlm/atlas.py's `quantize`) may
#: be from tlm.vectors' exact one.
PRECISION = 0.01
SHOWN = "Array.from(document.querySelectorAll('{sel} li')).map(li => [li.dataset.word, " \
    "Number(li.querySelector('.score').textContent)])"


def exact_cosines(kv, words: list[str], query: np.ndarray) -> dict[str, float]:
    """Each of `words`' exact cosine with `query` (tlm.vectors' unit rows)."""
    rows = tv.unit_rows(kv)[[kv.key_to_index[w] for w in words]]  # (S, d)
    return dict(zip(words, (rows @ tv.unit(query)).tolist(), strict=True))


def assert_same_answer(shown: list[list], exact: dict[str, float], skip: list[str]) -> None:
    """The page's nearest words and cosines are the exact ranking's, to the
    quantisation's precision: each cosine shown within PRECISION of the word's
    exact cosine, and the i-th word's exact cosine within 2 PRECISION of the
    exact i-th best (two words closer than that may swap)."""
    ranked = sorted((c for w, c in exact.items() if w not in skip), reverse=True)
    assert len(shown) == min(10, len(ranked))
    for (word, cos), best in zip(shown, ranked, strict=False):
        assert abs(cos - exact[word]) <= PRECISION + 5e-4, (word, cos, exact[word])  # 3 decimals
        assert exact[word] >= best - 2 * PRECISION, (word, exact[word], best)


def test_the_page_in_headless_chromium(run, model_file, tmp_path, monkeypatch):
    from tlm import atlas
    from tlm.modelfile import load
    from tlm.pretrained import load_file

    chromium = browser_or_skip()
    vectors = planted_vectors(tmp_path)
    kv = load_file(vectors)
    # the page carries 40 of the 60 planted words (128 bytes each): the 20 mapped, the
    # group words, then the next most frequent; every word of the model
    monkeypatch.setattr(atlas, "SEARCH_BYTES", 40 * 128)
    result = run("atlas", "--model", model_file, "--pretrained", vectors, "--output", "atlas.html",
                 "-n", "20")
    assert result.exit_code == 0, result.output + result.stderr
    page = tmp_path / "atlas.html"
    model_kv = load(model_file).vectors
    with Chromium(chromium, tmp_path / "profile") as browser:
        browser.open(page)
        # both maps drew every mapped word
        data = json.loads(browser.evaluate("document.getElementById('atlas-data').textContent"))
        for i, source in enumerate(data["sources"]):
            n = browser.wait_until(POINTS.format(i=i, t=1))
            assert n == source["mapped"]
        searched = data["sources"][1]["words"]
        assert len(searched) == 40 and searched[:20] == kv.index_to_key[:20]
        assert sorted(data["sources"][0]["words"]) == sorted(model_kv.index_to_key)
        # hover text: the word, and its group when it has one
        hover = browser.evaluate("document.getElementById('map-1').data[0].text")
        assert hover[searched.index("king")] == "king<br>royalty"
        assert hover[searched.index("w0")] == "w0"
        assert len(hover) == data["sources"][1]["mapped"]  # the map's points only
        # type a word: its nearest words among those the page carries, with the cosines
        # tlm.vectors computes, to the 8-bit vectors' precision; they ring the map
        browser.type("#search-1", "King")
        browser.wait_until(NEAR.format(i=1))
        shown = browser.evaluate(SHOWN.format(sel="#near-1"))
        assert_same_answer(shown, exact_cosines(kv, searched, kv["king"]), ["king"])
        assert shown[0][0] == "queen"
        said = browser.evaluate("document.getElementById('near-1').innerText")
        assert "searched the 40 most frequent words of vectors.txt's 60" in said
        on_map = sum(searched.index(w) < 20 for w, _ in shown)
        assert browser.evaluate(POINTS.format(i=1, t=2)) == on_map
        assert browser.evaluate(POINTS.format(i=1, t=3)) == 1
        # the neighbours and analogy boxes answer in every column
        browser.type("#neighbours-word", "wood")
        answer = browser.wait_until("document.getElementById('neighbours-answer').innerText")
        assert "model.json (embedding)" in answer and "vectors.txt" in answer
        assert "nearest to 'wood'" in answer
        assert f"searched all {len(model_kv):,} words of model.json (embedding)" in answer
        model_column = browser.evaluate(SHOWN.format(sel="#neighbours-answer .column:first-child"))
        exact = tv.neighbors(model_kv, "wood", k=len(model_kv) - 1)
        assert_same_answer(model_column, dict(zip(model_kv.index_to_key,
                                                  exact.all_cos.tolist(), strict=True)), ["wood"])
        # the analogy box opens with man : king :: woman : ?, answered as tlm.vectors
        # answers it (b - a + c on the raw vectors, a, b and c left out)
        columns = "Array.from(document.querySelectorAll('#analogy-answer .column'))"
        answers = browser.evaluate(f"{columns}.map(c => Array.from(c.querySelectorAll('li'))"
                                   ".map(li => [li.dataset.word, "
                                   "Number(li.querySelector('.score').textContent)]))")
        assert answers[0] == []
        target = kv["king"] - kv["man"] + kv["woman"]
        assert_same_answer(answers[1], exact_cosines(kv, searched, target),
                           ["king", "man", "woman"])
        assert answers[1][0][0] == tv.analogy(kv, "man", "king", "woman").words[0] == "queen"
        notes = browser.evaluate(f"{columns}.map(c => c.innerText)")
        assert "no 'man', 'king', 'woman': searched all" in notes[0]
        # colour by frequency rank: the words' colours become their ranks, with a colour bar
        browser.evaluate("(() => { const s = document.querySelector('select[data-source=\"1\"]');"
                         " s.value = 'rank'; s.dispatchEvent(new Event('change')); })()")
        colours = browser.wait_until("(() => { const m = document.getElementById('map-1')"
                                     ".data[0].marker; return m.showscale && m.color; })()")
        assert colours == list(range(data["sources"][1]["mapped"]))
        assert browser.evaluate("document.querySelectorAll('#map-1 .colorbar').length") == 1
        # every section drawn (its screenshot not one colour) and no text on text
        for sid in browser.evaluate("Array.from(document.querySelectorAll('section'))"
                                    ".map(s => s.id)"):
            image = Image.open(browser.screenshot(tmp_path / f"{sid}.png", f"#{sid}"))
            colours = image.convert("L").getcolors(maxcolors=1 << 16)
            assert colours is None or len(colours) > 8, f"section {sid} is blank"
            assert browser.evaluate(OVERLAPS.format(sid=json.dumps(sid))) == [], sid
        shot = browser.screenshot(tmp_path / "atlas.png", "#map")
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
        assert browser.errors() == []
        assert outside(browser.requests()) == []


#: The HTML elements of a section that hold text of their own, two by two, whose boxes
#: overlap by more than a pixel each way (plotly's SVG is its own layout, left out).
OVERLAPS = """(() => {{
  const sec = document.getElementById({sid});
  const els = Array.from(sec.querySelectorAll('*')).filter(e =>
    !e.closest('svg') && !e.closest('.js-plotly-plot') && e.checkVisibility() &&
    Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()));
  const boxes = els.map(e => [e, e.getBoundingClientRect()]);
  const bad = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {{
    const [a, r] = boxes[i], [b, q] = boxes[j];
    if (a.contains(b) || b.contains(a)) continue;
    const dx = Math.min(r.right, q.right) - Math.max(r.left, q.left);
    const dy = Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top);
    if (dx > 1 && dy > 1) bad.push(a.textContent.slice(0, 30) + ' / ' + b.textContent.slice(0, 30));
  }}
  return bad;
}})()"""


def screenshot(page: Path, word: str, output: Path, width: int = 1400) -> None:
    """Open an atlas in a window `width` pixels wide, search `word` on every map
    and save a PNG of the maps."""
    import tempfile

    chromium = find_chromium()
    if chromium is None or websocket_client_missing():
        sys.exit("needs chromium and websocket-client (apt-get install chromium; "
                 "pip install -e '.[test]')")
    with tempfile.TemporaryDirectory() as profile, Chromium(chromium, Path(profile)) as browser:
        browser.send("Emulation.setDeviceMetricsOverride", width=width, height=1000,
                     deviceScaleFactor=1, mobile=False)
        browser.open(page)
        n = int(browser.wait_until("ATLAS.sources.length"))
        for i in range(n):
            browser.wait_until(POINTS.format(i=i, t=1))
            browser.type(f"#search-{i}", word)
            browser.wait_until(NEAR.format(i=i) + ".length")
        browser.screenshot(output, "#map")
        errors, requests = browser.errors(), outside(browser.requests())
    print(f"Wrote {output}; console errors: {errors or 'none'}; "
          f"requests leaving the page: {requests or 'none'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=screenshot.__doc__)
    parser.add_argument("page", type=Path)
    parser.add_argument("--search", default="emma", help="The word to search on every map.")
    parser.add_argument("--screenshot", type=Path, default=Path("atlas.png"))
    parser.add_argument("--width", type=int, default=1400, help="The window's width in pixels.")
    args = parser.parse_args()
    screenshot(args.page, args.search, args.screenshot, args.width)
