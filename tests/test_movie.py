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
