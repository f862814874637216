"""tlm/positions.py: the theory notebook's pictures, as numbers and figures."""

from __future__ import annotations

import numpy as np
import pytest
from tiny_transformer import tiny

from tlm import positions
from tlm.errors import TlmError


def test_sinusoidal_picture_is_the_table():
    pic = positions.sinusoidal_picture(T=10, d=8)
    assert pic.data["table"].shape == (10, 8)
    assert pic.data["table"][0, 1] == 1.0 and len(pic.figure.axes) == 3  # + the colour bar


def test_rope_turns_a_real_query_and_keeps_its_length():
    model = tiny(positions="rope")
    pic = positions.rope_picture(model, "w3")
    assert pic.data["turned"].shape == (5, 4)
    assert pic.data["largest_change"] < 1e-6
    np.testing.assert_allclose(pic.data["turned"][0], pic.data["query"])  # position 0: no turn
    assert not np.allclose(pic.data["turned"][1], pic.data["query"])
    with pytest.raises(TlmError, match="not rope"):
        positions.rope_picture(tiny(positions="alibi"), "w3")


def test_alibi_and_learned_cosines_and_attention():
    bias = positions.alibi_picture(T=6, H=2).data["bias"]
    assert bias.shape == (2, 6, 6) and bias[0, 5, 0] == pytest.approx(-5 / 16)
    cos = positions.learned_cosines(tiny(positions="learned")).data["cosines"]
    np.testing.assert_allclose(np.diag(cos), 1.0)
    with pytest.raises(TlmError, match="learned"):
        positions.learned_cosines(tiny(positions="none"))
    pic = positions.attention_picture(tiny(positions="none"), ["w1", "w2", "w3"])
    assert pic.data["attention"].shape == (2, 2, 3, 3) and len(pic.figure.axes) == 4
