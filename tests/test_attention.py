"""`tlm explore attention` (tlm/analyses/attention.py): each head's weights against
block 1 written out in NumPy, the sentence read as `tlm generate` reads a prompt,
bad input as one line."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tiny_transformer import tiny

from tlm import atlas, modelfile
from tlm.analyses import attention as analysis
from tlm.analyses.attention import attention
from tlm.analyses.positions import ANALYSIS as POSITIONS
from tlm.errors import TlmError
from tlm.interact import Explorer

WORDS = ["she", "was", "not", "sorry", "to", "go", "<unk>"]


def block_one(model, ids, rope: bool) -> np.ndarray:
    """(H, T, T) block 1's attention, written out from the formulas, one head at a time."""
    c = model.config
    d, H = c.dim, c.heads
    dh = d // H
    x = math.sqrt(d) * model.E[ids]                                    # (T, d)
    mu = x.mean(1, keepdims=True)
    a = (x - mu) / np.sqrt(((x - mu) ** 2).mean(1, keepdims=True) + 1e-5)
    a = a * model.ln1_g[0] + model.ln1_b[0]
    out = np.zeros((H, len(ids), len(ids)))
    for h in range(H):
        q = a @ model.Wq[0][:, h * dh:(h + 1) * dh]                   # (T, dh)
        k = a @ model.Wk[0][:, h * dh:(h + 1) * dh]
        if rope:
            for t in range(len(ids)):
                for p in range(dh // 2):
                    th = t / 10000 ** (2 * p / dh)
                    R = np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])
                    q[t, 2 * p:2 * p + 2] = R @ q[t, 2 * p:2 * p + 2]
                    k[t, 2 * p:2 * p + 2] = R @ k[t, 2 * p:2 * p + 2]
        for i in range(len(ids)):
            s = np.array([q[i] @ k[j] / math.sqrt(dh) for j in range(i + 1)])
            e = np.exp(s - s.max())
            out[h, i, : i + 1] = e / e.sum()
    return out


@pytest.mark.parametrize("positions", ["none", "rope"])
def test_weights_are_block_ones_softmax_written_out(positions):
    model = tiny(positions=positions, words=WORDS, context_window=8)
    r = attention(model, "she was not sorry to go")
    assert r.words == WORDS[:6]
    assert r.weights.shape == (2, 2, 6, 6)
    np.testing.assert_allclose(r.weights[0], block_one(model, np.arange(6), positions == "rope"),
                               atol=1e-10)
    np.testing.assert_allclose(r.weights.sum(-1), 1.0, atol=1e-12)  # every row, every block
    assert np.all(np.triu(r.weights, k=1) == 0)  # nobody reads the future


def test_mean_distance_back():
    r = attention(tiny(positions="alibi", words=WORDS), ("she", "was", "not"))
    for b in range(2):
        for h in range(2):
            A = r.weights[b, h]
            expected = np.mean([sum(A[i, j] * (i - j) for j in range(i + 1)) for i in range(3)])
            assert r.distance[b, h] == pytest.approx(expected)


def test_the_sentence_is_read_with_the_models_transforms_and_unknown_words_are_unk():
    model = tiny(positions="rope", words=WORDS, context_window=8)
    model.info["transforms"] = ["lower", "alpha"]
    r = attention(model, "She WAS, not 'happy' to go!")
    assert r.words == ["she", "was", "not", "<unk>", "to", "go"]


def test_bad_sentences_are_one_clear_error():
    with pytest.raises(TlmError, match="at most 5"):
        attention(tiny(words=WORDS), "she was not sorry to go")  # window 5
    with pytest.raises(TlmError, match="'zebra'.*no <unk>"):
        attention(tiny(words=WORDS[:6], context_window=8), "she was a zebra")
    model = tiny(words=WORDS)
    model.info["transforms"] = ["alpha"]
    with pytest.raises(TlmError, match="no words left"):
        attention(model, "1 2 3")


def test_text_and_picture():
    model = tiny(positions="rope", words=WORDS, context_window=8)
    r = attention(model, "she was not sorry")
    text = analysis.render({"tr.json": r})
    assert "1.1" in text and "2.2" in text and "mean words back" in text
    assert "she 1.00" in text  # the first word can only read itself
    fig = analysis.ANALYSIS.draw({"a.json": r, "b.json": r})
    panels = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert len(panels) == 2 * 2 * 2  # (models x blocks) x heads
    assert [t.get_text() for t in panels[0].get_xticklabels()] == r.words


def test_sixteen_heads_are_two_tables_that_fit_a_terminal():
    """4 blocks of 4 heads (the default transformer's) are printed as two tables of 8
    columns, so no line runs much past a terminal's width; every head is in one."""
    model = tiny(positions="rope", words=WORDS, context_window=8, layers=4, heads=4)
    text = analysis.render({"tr.json": attention(model, "she was not sorry")})
    headers = [line.split() for line in text.splitlines() if line.lstrip().startswith("word ")]
    assert [h[1:] for h in headers] == [[f"{b}.{h}" for b in (1, 2) for h in range(1, 5)],
                                        [f"{b}.{h}" for b in (3, 4) for h in range(1, 5)]]
    assert text.count("(mean words back)") == 2
    assert max(len(line) for line in text.splitlines()) <= 120


def test_the_command(run, tmp_path, one_line_error, trained):
    path = tmp_path / "tr.json"
    modelfile.save(tiny(positions="rope", words=WORDS, context_window=8, dtype=np.float32),
                   path)
    result = run("explore", "attention", "she", "was", "not", "sorry", "--model", path,
                 "--png", tmp_path / "att.png")
    assert result.exit_code == 0, result.output + result.stderr
    assert "mean words back" in result.output
    assert (tmp_path / "att.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    one_line_error(run("explore", "attention", "how", "much", "--model", trained),
                   "transformer", "embedding model")
    one_line_error(run("explore", "attention", *["she"] * 9, "--model", path), "at most 8")


def test_the_atlas_has_the_transformer_sections_only_with_a_transformer():
    transformer = atlas.Source("tr.json", None, tiny(words=WORDS), "tr.json")
    vectors = atlas.Source("glove", object(), None, "glove")
    for a in (analysis.ANALYSIS, POSITIONS):
        assert not atlas.applies(a, [vectors])
        assert atlas.applies(a, [vectors, transformer])


def test_an_atlas_section_draws_the_transformer_and_notes_the_others():
    model = tiny(positions="rope", words=WORDS, context_window=8)
    model.info["transforms"] = ["lower"]
    transformer = atlas.Source("tr.json", model.vectors, model, "tr.json")
    other = atlas.Source("glove", model.vectors, None, "glove")
    for a in (analysis.ANALYSIS, POSITIONS):
        section = atlas.analysis_section(a, [transformer, other])
        assert section.content["figure"] is not None
        assert section.notes == [f"glove: {a.name} needs a tlm transformer model (tlm train "
                                 "--model transformer), not pretrained vectors"]


def test_the_shells_explore_has_both():
    model = tiny(positions="learned", words=WORDS, context_window=8)
    explore = Explorer(model)
    assert explore.attention("she was not").words == ["she", "was", "not"]
    assert explore.positions().scheme == "learned"
