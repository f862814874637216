"""`tlm train --snapshots N`: copies of E over training, in the model file (tlm/snapshots.py)."""

from __future__ import annotations

import json
import os
import signal

import numpy as np
import pytest

import tlm
import tlm.train
from tlm import modelfile, snapshots
from tlm.errors import TlmError
from tlm.model import EmbeddingModel
from tlm.snapshots import Snapshots, kept_rows, when


def test_frames_from_the_start_to_the_end_closer_together_early(chuck):
    result = tlm.train.fit("embedding", [str(chuck)], epochs=40, seed=2, snapshots=8)
    model, snap = result.model, result.model.snapshots
    assert snap.frames == 9 and snap.E.shape == (9, 11, 32) and snap.E.dtype == np.float16
    assert snap.at == pytest.approx([40 * (k / 8) ** 2 for k in range(9)], abs=1 / 30)
    assert np.diff(snap.at)[0] < np.diff(snap.at)[-1]  # closer together at the start
    assert when(8, 8) == 1.0
    # the first frame is the random start, the last the trained model (float16 of each)
    start = EmbeddingModel.init_arrays(11, model.config, tlm.train.random_streams(2)[0])["E"]
    np.testing.assert_allclose(snap.E[0], start[snap.rows], atol=2e-3)
    np.testing.assert_allclose(snap.E[-1], model.E[snap.rows], atol=2e-3)
    assert snap.words(model.vocab)[:2] == ["chuck", "wood"]  # most frequent first
    assert snap.loss[0] is None and all(x > 0 for x in snap.loss[1:])
    assert snap.loss[1] > snap.loss[-1]  # the loss between frames falls
    assert snap.val_loss == [None] * 9  # no held-out part


def test_saved_with_the_model_and_loaded_back_checked(chuck, tmp_path):
    out = tmp_path / "m.json"
    tlm.train.fit("embedding", [str(chuck)], epochs=5, seed=1, snapshots=3, output=out)
    snap = tlm.load(out).snapshots
    assert snap.frames == 4
    d = json.loads(out.read_text())
    assert d["snapshots"]["E"]["shape"] == [4, 11, 32]
    d["snapshots"]["E"]["data"] = "A" + d["snapshots"]["E"]["data"][1:]  # a flipped byte
    out.write_text(json.dumps(d))
    with pytest.raises(TlmError, match="snapshots do not match the checksum"):
        tlm.load(out)
    d["snapshots"]["at"] = [0, 1]
    out.write_text(json.dumps(d))
    with pytest.raises(TlmError, match=r"damaged: snapshots.loss must be 2 numbers"):
        tlm.load(out)


def test_a_model_without_snapshots_is_as_before(trained):
    model = tlm.load(trained)
    assert model.snapshots is None
    assert "snapshots" not in modelfile.to_dict(model)


def test_held_out_loss_at_each_frame_on_a_fixed_sample(tmp_path, monkeypatch):
    monkeypatch.setattr(snapshots, "VAL_SAMPLE", 50)
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(30)]
    text = tmp_path / "t.txt"
    text.write_text(" ".join(rng.choice(words, 3000)))
    result = tlm.train.fit("embedding", [str(text)], epochs=2, seed=1, val_fraction=0.2,
                           snapshots=4)
    snap = result.model.snapshots
    assert snap.val_positions == 50
    assert all(v is not None and 0 < v < 10 for v in snap.val_loss)
    # the last frame's sample loss is the model's own loss on those positions
    model = result.model
    contexts, targets, _ = tlm.perplexity.scored_positions(
        model, tlm.train.split_documents(
            [model.vocabulary.encode(text.read_text().split(), drop_unknown=False)], 0.2)[1])
    pick = np.unique(np.linspace(0, len(targets) - 1, 50).round().astype(int))
    expected = -model.log_probs(contexts[pick], targets[pick]).mean()
    assert snap.val_loss[-1] == pytest.approx(expected, rel=1e-5)


def test_a_large_vocabulary_keeps_the_most_frequent_and_the_words_asked_for(monkeypatch):
    monkeypatch.setattr(snapshots, "KEEP", 3)
    from tlm.vocab import Vocab

    vocab = Vocab(["a", "b", "c", "d", "e", "king"], [9, 8, 7, 6, 5, 1])
    model = EmbeddingModel.create(vocab, EmbeddingModel.Config(dim=4),
                                  np.random.default_rng(0))
    rows = kept_rows(model, ["king", "queen", "a"])
    assert [model.vocab[i] for i in rows] == ["a", "b", "c", "king"]


def test_a_count_model_has_no_vectors_to_keep(chuck):
    with pytest.raises(TlmError, match="count model has no word vectors"):
        tlm.train.fit("count", [str(chuck)], snapshots=5)


def test_the_skipgram_gets_snapshots_through_the_same_loop(tmp_path):
    rng = np.random.default_rng(1)
    text = tmp_path / "t.txt"
    text.write_text(" ".join(rng.choice([f"w{i}" for i in range(20)], 2000)))
    snap = tlm.train.fit("skipgram", [str(text)], epochs=2, seed=1, sample=0,
                         snapshots=2).model.snapshots
    assert snap.frames == 3 and snap.E.shape[1] == 20


def test_the_command_says_the_size_and_ctrl_c_keeps_the_frames_so_far(run, chuck, tmp_path,
                                                                      monkeypatch):
    result = run("train", "--filepath", chuck, "--epochs", "20", "--snapshots", "4",
                 "--seed", "1", "--output", "m.json")
    assert result.exit_code == 0, result.stderr
    last = result.stdout.splitlines()[-1]
    assert last.startswith("Snapshots: 5 frames of E for 11 words x 32 (float16), ")
    assert last.endswith(f"of the {os.path.getsize(tmp_path / 'm.json') / 1e3:.0f} kB model file")

    calls = []
    step = EmbeddingModel._step

    def interrupted_step(self, *batch, lr):
        calls.append(1)
        if len(calls) == 100:  # in epoch 4 of 20 (30 steps an epoch)
            os.kill(os.getpid(), signal.SIGINT)
        return step(self, *batch, lr=lr)

    monkeypatch.setattr(EmbeddingModel, "_step", interrupted_step)
    result = run("train", "--filepath", chuck, "--epochs", "20", "--snapshots", "4",
                 "--seed", "1", "--output", "new.json")
    assert result.exit_code == 130
    model = tlm.load(tmp_path / "new.json")
    snap = model.snapshots
    # frames at 1/16 and 4/16 of 20 epochs (1.25, 5): the first, then where it stopped
    assert snap.at == pytest.approx([0, 1.25, 100 / 30], abs=1 / 30)
    np.testing.assert_allclose(snap.E[-1], model.E[snap.rows], atol=2e-3)


def test_snapshots_round_trip_exactly():
    rng = np.random.default_rng(0)
    snap = Snapshots(np.array([2, 0, 1]), rng.normal(size=(2, 3, 4)).astype(np.float16),
                     [0.0, 1.0], [None, 1.5], [None, None])
    back = Snapshots.from_dict(json.loads(json.dumps(snap.to_dict())), 3, 4)
    np.testing.assert_array_equal(back.E, snap.E)
    assert back.rows.tolist() == [2, 0, 1] and back.loss == [None, 1.5]
    with pytest.raises(TlmError, match="row numbers below 2"):
        Snapshots.from_dict(snap.to_dict(), 2, 4)


def test_info_names_the_frames(run, chuck, trained):
    run("train", "--filepath", chuck, "--epochs", "4", "--snapshots", "2", "--seed", "1",
        "--output", "m.json")
    info = run("info", "--model", "m.json").stdout
    assert "snapshots: 3 frames of E for 11 words, at epochs 0, 1, 4 (tlm explore movie)" in info
    assert "snapshots" not in run("info", "--model", trained).stdout
