"""`tlm explore positions` (tlm/analyses/positions.py): each scheme's numbers against
NumPy written out independently, RoPE keeping a real query's length, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tiny_transformer import tiny

from tlm import modelfile
from tlm.analyses import positions as analysis
from tlm.analyses.positions import positions
from tlm.errors import TlmError


def test_sinusoidal_table_is_the_notebooks_and_its_dot_products_depend_on_distance_only():
    r = positions(tiny(positions="sinusoidal", context_window=40, dim=16, heads=2))
    assert r.table.shape == (40, 16)
    for t in (0, 7, 39):
        for i in range(16):
            angle = t / 10000 ** (2 * (i // 2) / 16)
            expected = math.sin(angle) if i % 2 == 0 else math.cos(angle)
            assert r.table[t, i] == pytest.approx(expected, abs=1e-12)
    assert set(r.shift_dots) == {1, 2, 4, 8, 16}  # 20 + 32 > 39: left out
    for k, (at_0, at_middle) in r.shift_dots.items():
        assert at_0 == pytest.approx(at_middle, abs=1e-9)
        assert at_0 == pytest.approx(sum(math.cos(k / 10000 ** (2 * p / 16)) for p in range(8)))
    assert r.columns == (0, 2, 4, 8)


def _layer_norm(x, g, b):
    mu = sum(x) / len(x)
    var = sum((v - mu) ** 2 for v in x) / len(x)
    return [(v - mu) / math.sqrt(var + 1e-5) * gi + bi for v, gi, bi in zip(x, g, b, strict=True)]


def test_rope_turns_a_real_query_of_the_model_and_keeps_its_length():
    model = tiny(positions="rope", context_window=12, dim=8, heads=2)
    r = positions(model, word="w3")
    # the query, written out: LayerNorm of sqrt(d) E[w3], times Wq, head 1's 4 columns
    x = [math.sqrt(8) * v for v in model.E[3]]
    a = _layer_norm(x, model.ln1_g[0], model.ln1_b[0])
    q = [sum(a[i] * model.Wq[0][i, j] for i in range(8)) for j in range(4)]
    np.testing.assert_allclose(r.query, q, atol=1e-12)
    for t in (0, 1, 5, 11):  # every pair (2i, 2i+1) turned by t / 10000^(2i/4)
        for p in range(2):
            th = t / 10000 ** (2 * p / 4)
            turn = np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])
            np.testing.assert_allclose(r.turned[t, 2 * p:2 * p + 2], turn @ q[2 * p:2 * p + 2],
                                       atol=1e-12)
    assert r.largest_change < 1e-6
    np.testing.assert_allclose(r.norms, np.linalg.norm(q), atol=1e-6)
    assert not np.allclose(r.turned[1], r.query)
    assert r.pairs == (0, 1)  # pairs 3 and 7 do not exist at dh = 4


def test_rope_turns_the_most_frequent_word_unless_told():
    model = tiny(positions="rope", words=["a", "b", "<unk>", "c"])
    model.vocabulary.counts[:] = [1, 3, 9, 3]
    assert positions(model).word == "b"  # the most frequent that is not <unk>, first of a tie
    with pytest.raises(TlmError, match="never seen"):
        positions(model, word="zebra")


def test_alibi_bias_and_slopes():
    r = positions(tiny(positions="alibi", context_window=6, heads=4, dim=8))
    for h in range(4):
        m = 2 ** (-8 * (h + 1) / 4)
        assert r.slopes[h] == pytest.approx(m)
        for i in range(6):
            for j in range(i + 1):
                assert r.bias[h, i, j] == pytest.approx(-m * (i - j))


def test_learned_positions_cosines():
    model = tiny(positions="learned", context_window=9)
    r = positions(model)
    P = model.P
    for i in range(9):
        for j in range(9):
            cos = P[i] @ P[j] / math.sqrt((P[i] @ P[i]) * (P[j] @ P[j]))
            assert r.cosines[i, j] == pytest.approx(cos, abs=1e-12)
    for k in (0, 1, 4, 8):
        assert r.by_distance[k] == pytest.approx(np.mean([r.cosines[i, i + k]
                                                          for i in range(9 - k)]))


def test_text_and_picture_of_every_scheme_together():
    results = {s: positions(tiny(positions=s, heads=4, dim=8))
               for s in ("sinusoidal", "rope", "alibi", "learned")}
    text = analysis.render(results)
    assert "kept to 1e-6" in text and "P[0] . P[k]" in text and "m_h" in text
    assert "mean cosine" in text
    fig = analysis.ANALYSIS.draw(results)
    assert analysis.ANALYSIS.result is type(results["rope"])
    assert len([ax for ax in fig.axes if ax.get_label() != "<colorbar>"]) == 2 + 2 + 4 + 2


def test_what_has_no_positions_is_one_clear_error(one_line_error, run, tmp_path, trained):
    with pytest.raises(TlmError, match="--positions none"):
        positions(tiny(positions="none"))
    one_line_error(run("explore", "positions", "--model", trained), "transformer",
                   "embedding model")
    one_line_error(run("explore", "positions", "--pretrained", "glove-wiki-gigaword-50"),
                   "transformer", "pretrained")


def test_the_command_prints_the_numbers_and_writes_the_picture(run, tmp_path):
    path = tmp_path / "rope.json"
    modelfile.save(tiny(positions="rope", dtype=np.float32), path)
    result = run("explore", "positions", "--model", path, "--word", "w2", "--png",
                 tmp_path / "rope.png")
    assert result.exit_code == 0, result.output + result.stderr
    assert "the query of 'w2'" in result.output and "kept to 1e-6" in result.output
    assert (tmp_path / "rope.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
