"""The training movie: aligned frames (tlm/analyses/movie.py) and `tlm explore movie`."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from scipy.stats import special_ortho_group

import tlm
import tlm.train
from tlm.analyses.movie import aligned_frames, movie, nearest
from tlm.errors import TlmError


def planted(F: int = 5, K: int = 40, d: int = 8, noise: float = 0.0, seed: int = 0):
    """Frames that are one set of vectors turned by a different known rotation each."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(K, d)) * np.linspace(3, 0.5, d)  # two clear principal axes
    rotations = special_ortho_group.rvs(d, size=F, random_state=seed)
    rotations[-1] = np.eye(d)
    frames = np.stack([X @ R.T + noise * rng.normal(size=(K, d)) for R in rotations])
    return X, frames


def test_frames_that_differ_by_a_rotation_land_on_the_same_map():
    X, frames = planted()
    xy, shares = aligned_frames(frames)
    assert xy.shape == (5, 40, 2)
    for f in range(5):  # every frame is the last one turned: no word moves
        np.testing.assert_allclose(xy[f], xy[-1], atol=1e-4)
    Xc = X - X.mean(0)
    _, S, Vt = np.linalg.svd(Xc)  # the last frame is on its own principal axes
    np.testing.assert_allclose(np.abs(xy[-1]), np.abs(Xc @ Vt[:2].T), atol=1e-4)
    assert shares[0] == pytest.approx(S[0] ** 2 / (S**2).sum(), rel=1e-6)
    # without the rotation back, the earlier frames would be somewhere else
    unturned = (frames[0] - frames[0].mean(0)) @ Vt[:2].T
    assert np.abs(unturned - xy[-1]).max() > 1.0


def test_real_movement_survives_the_alignment():
    X, frames = planted(noise=0.0)
    frames[0, 3] += 5.0  # one word really moves between frame 0 and 1
    xy, _ = aligned_frames(frames)
    moved = np.linalg.norm(xy[0] - xy[1], axis=1)
    assert moved.argmax() == 3 and moved[3] > 3 * np.median(moved)


def test_nearest_words_of_a_frame():
    unit = np.array([[1, 0], [0.9, 0.1], [0, 1], [-1, 0]], dtype=np.float32)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    top, cos = nearest(unit, np.array([0, 2]), 2)
    assert top.tolist() == [[1, 2], [1, 0]]
    assert cos[0, 0] == pytest.approx(unit[0] @ unit[1])


@pytest.fixture(scope="module")
def movie_model(tmp_path_factory):
    from tests.conftest import CHUCK_TEXT

    folder = tmp_path_factory.mktemp("movie")
    (folder / "chuck.txt").write_text(CHUCK_TEXT)
    out = folder / "m.json"
    tlm.train.fit("embedding", [str(folder / "chuck.txt")], epochs=30, seed=1, dim=8,
                  snapshots=4, output=out)
    return out


def test_the_movie_of_a_trained_model(movie_model):
    m = movie(tlm.load(movie_model))
    assert m.xy.shape == (5, 11, 2) and len(m.words) == 11
    assert m.at.tolist() == pytest.approx([0, 30 / 16, 7.5, 30 * 9 / 16, 30], abs=1 / 30)
    assert np.isnan(m.loss[0]) and (m.loss[1:] > 0).all()
    assert len(m.history[0]) == 30
    # the random-pair cosine is that of the frames' unit rows
    assert abs(m.background[0]) < 0.3


def test_explore_movie_prints_draws_and_animates(run, movie_model, tmp_path):
    result = run("explore", "movie", "--model", movie_model, "--png", "m.png", "--gif", "m.gif")
    assert result.exit_code == 0, result.stderr
    assert "5 frames of 11 words" in result.stdout
    assert Image.open(tmp_path / "m.png").format == "PNG"
    gif = Image.open(tmp_path / "m.gif")
    # 4 gaps of 3 steps and the last frame (Pillow merges the held copies of it)
    assert gif.format == "GIF" and gif.n_frames == 4 * 3 + 1
    assert "Animation saved to m.gif" in result.stderr


def test_a_model_without_snapshots_says_how_to_get_them(run, trained, one_line_error):
    one_line_error(run("explore", "movie", "--model", trained), "--snapshots")
    with pytest.raises(TlmError, match="pretrained"):
        movie(tlm.load(trained).vectors)


def test_gif_is_checked_before_any_work(run, movie_model, tmp_path, one_line_error):
    (tmp_path / "notes.txt").write_text("my notes")
    one_line_error(run("explore", "movie", "--model", movie_model, "--gif", "notes.txt"),
                   "--gif", "not a GIF")
    assert (tmp_path / "notes.txt").read_text() == "my notes"


# -- the atlas's movie section ---------------------------------------------------------------
def test_the_atlas_plays_the_movie_of_a_model_with_snapshots(movie_model, trained):
    import base64
    import json

    from tlm import atlas, atlas_movie

    page = atlas.build(atlas.load_sources([movie_model, trained]))
    ids = [s.id for s in page.sections]
    assert ids[:3] == ["sources", "map", "movie"] and ids.count("movie") == 1
    section = page.sections[2]
    assert len(section.content["movies"]) == 1  # the model without snapshots has none
    assert 'id="movie-data"' in page.html and "movie-slider" in page.html
    data = json.loads(section.content["data"])[0]
    m = movie(tlm.load(movie_model))
    q = np.frombuffer(base64.b64decode(data["xy"]["data"]), dtype="<u2").reshape(5, 11, 2)
    lo, hi = np.array(data["xy"]["lo"]), np.array(data["xy"]["hi"])
    np.testing.assert_allclose(lo + q / 65535 * (hi - lo), m.xy, atol=1e-4 * (hi - lo).max())
    near = np.frombuffer(base64.b64decode(data["near"]), dtype="<u2").reshape(5, 11, 8)
    for f in (0, 4):
        top, cos = nearest(m.unit[f], np.arange(11), 8)
        # the same words, nearest first (ties aside)
        assert (near[f][:, 0] == top[:, 0]).mean() > 0.9
    cos8 = np.frombuffer(base64.b64decode(data["cos"]), dtype=np.uint8).reshape(5, 11, 8)
    _, cos = nearest(m.unit[4], np.arange(11), 8)
    np.testing.assert_allclose(cos8[4] / 127 - 1, cos, atol=0.005)
    assert data["pick"] == list(range(11)) and atlas_movie.K == 8


def test_a_movie_of_2000_words_and_21_frames_stays_small(monkeypatch):
    """The page carries map places for every word and neighbours for the pickable
    ones: about half a megabyte for Emma's 2,011 words and 21 frames."""
    from tlm import atlas, atlas_movie
    from tlm.analyses import movie as movie_module

    rng = np.random.default_rng(0)
    F, K, d = 21, 2011, 32
    unit = movie_module._unit(rng.normal(size=(F, K, d)).astype(np.float32))
    xy, explained = aligned_frames(unit)
    nan = np.full(F, np.nan)
    m = movie_module.Movie("m", [f"w{i}" for i in range(K)], np.full(K, -1), [], unit, xy,
                           explained, np.arange(F, dtype=float), nan, nan, 0, nan, nan, 10,
                           (np.arange(10.0), np.ones(10), np.full(10, np.nan)))
    data = atlas_movie.page_data(m, atlas.GROUP_COLOURS, atlas.OTHER_COLOUR)
    size = len(atlas._json_for_script([data]))
    assert 300_000 < size < 600_000, size


def test_the_movie_plays_in_headless_chromium(run, movie_model, tmp_path):
    """The slider moves the words to the frame's places, play runs to the last frame,
    and a picked word lists its nearest words at that frame; no console error."""
    import json

    from tests.chromium import Chromium
    from tests.test_atlas_browser import browser_or_skip, outside

    chromium = browser_or_skip()
    result = run("atlas", "--model", movie_model, "--output", "atlas.html")
    assert result.exit_code == 0, result.stderr
    m = movie(tlm.load(movie_model))
    with Chromium(chromium, tmp_path / "profile") as browser:
        browser.open(tmp_path / "atlas.html")
        browser.wait_until("document.getElementById('movie-map-0').data")
        slide = ("(() => { const s = document.querySelector('.movie-slider'); s.value = 1; "
                 "s.dispatchEvent(new Event('input')); })()")
        browser.evaluate(slide)
        xs = browser.evaluate("document.getElementById('movie-map-0').data[0].x")
        np.testing.assert_allclose(xs, m.xy[1, :, 0], atol=1e-3)
        assert browser.evaluate("document.getElementById('movie-at-0').innerText").startswith(
            "frame 2 of 5: epoch 1.90")
        browser.type(".movie-word", "chuck")
        near = browser.wait_until("Array.from(document.querySelectorAll('#movie-near-0 li'))"
                                  ".map(li => li.firstChild.textContent.trim())")
        top, _ = nearest(m.unit[1], np.array([m.words.index("chuck")]), 8)
        assert near == [m.words[i] for i in top[0]]
        browser.evaluate("document.querySelector('.movie-play').click()")
        browser.wait_until("document.querySelector('.movie-slider').value === '4'")
        data = json.loads(browser.evaluate("document.getElementById('movie-data').textContent"))
        assert data[0]["frames"] == 5
        assert browser.errors() == []
        assert outside(browser.requests()) == []


def test_mp4_needs_ffmpeg_and_says_so_before_any_work(run, movie_model, tmp_path,
                                                      one_line_error, monkeypatch):
    from matplotlib.animation import writers

    monkeypatch.setattr(writers, "is_available", lambda name: False)
    one_line_error(run("explore", "movie", "--model", movie_model, "--mp4", "m.mp4"),
                   "--mp4 needs ffmpeg", "--gif")
    assert not (tmp_path / "m.mp4").exists()


def test_a_still_picture_shows_the_frames_where_the_words_moved():
    from types import SimpleNamespace

    from tlm.analyses.movie import picks

    # nearly all the movement between frames 1 and 3 of 11
    moved = np.array([np.nan, 5, 5, 5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
    m = SimpleNamespace(at=np.arange(11.0), moved=moved)
    assert picks(m) == [0, 2, 3, 10]
    assert picks(SimpleNamespace(at=np.arange(3.0), moved=moved[:3])) == [0, 1, 2]
