"""The model file: round trips, atomic saves, clear errors for files that are not
good models (through the library and through `tlm generate` / `tlm info`), `tlm info`."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest

import tlm
from tlm import modelfile
from tlm.errors import TlmError
from tlm.train import fit


def all_contexts(model) -> np.ndarray:
    V, C = len(model.vocab), model.config.context_window
    return np.array(np.meshgrid(*[np.arange(V)] * C)).reshape(C, -1).T  # (V**C, C)


def assert_same_model(a, b) -> None:
    assert type(a) is type(b)
    assert a.vocab == b.vocab and a.word_counts == b.word_counts
    assert a.config == b.config
    assert a.history == b.history and a.info == b.info
    for name in a.array_names:
        assert a.arrays[name].dtype == b.arrays[name].dtype == np.float32
        assert np.array_equal(a.arrays[name], b.arrays[name]), name
    contexts = all_contexts(a)
    _, pa = a._forward(contexts)
    _, pb = b._forward(contexts)
    assert np.array_equal(pa, pb)  # identical probabilities, bit for bit


@pytest.mark.parametrize("dim, encoding", [(8, None), (512, "base64")])
def test_save_load_round_trip(tmp_path, chuck, dim, encoding):
    """Small arrays as nested lists, large ones as base64: both load back exactly."""
    model = fit("embedding", [str(chuck)], epochs=2, dim=dim,
                seed=1, val_fraction=0.25).model
    path = tlm.save(model, tmp_path / "m.json")
    loaded = tlm.load(path)
    assert_same_model(model, loaded)
    for context in ([0, 1], [2, 2], [9]):
        assert np.array_equal(model.next_word_probs(np.array(context)),
                              loaded.next_word_probs(np.array(context)))

    d = json.loads(path.read_text(encoding="utf-8"))
    assert d["format"] == "tlm-model" and d["version"] == 1 and d["type"] == "embedding"
    assert d["vocab"]["words"] == model.vocab and d["config"]["dim"] == dim
    assert d["arrays"]["E"]["shape"] == [11, dim]  # the 11 words: nothing was folded into <unk>
    assert d["arrays"]["E"].get("encoding") == encoding
    assert d["arrays"]["b"].get("encoding") is None  # 11 numbers stay readable
    if encoding is None:
        assert isinstance(d["arrays"]["E"]["data"][0], list)


def test_saved_after_load_is_the_same_file(tmp_path, model_file):
    again = tlm.save(tlm.load(model_file), tmp_path / "again.json")
    assert again.read_bytes() == model_file.read_bytes()


# -- atomic save ----------------------------------------------------------------------------


class Boom(Exception):
    pass


def half_writer(real_fdopen):
    """os.fdopen whose file writes half the text, then fails."""

    def fdopen(fd, *args, **kwargs):
        f = real_fdopen(fd, *args, **kwargs)
        write = f.write

        def broken_write(text):
            write(text[: len(text) // 2])
            f.flush()
            raise Boom("disk on fire")

        f.write = broken_write
        return f

    return fdopen


@pytest.mark.parametrize("where", ["write", "fsync", "replace", "interrupt"])
def test_interrupted_save_leaves_the_old_model(tmp_path, model_file, monkeypatch, where):
    old = model_file.read_bytes()
    other = tlm.load(model_file)
    other.E[:] = 0.0  # a different model to save over the old one

    def boom(*args, **kwargs):
        raise KeyboardInterrupt if where == "interrupt" else Boom("crash")

    if where == "write":
        monkeypatch.setattr(modelfile.os, "fdopen", half_writer(os.fdopen))
    elif where in ("fsync", "interrupt"):
        monkeypatch.setattr(modelfile.os, "fsync", boom)
    else:
        monkeypatch.setattr(modelfile.os, "replace", boom)

    with pytest.raises(KeyboardInterrupt if where == "interrupt" else Boom):
        modelfile.save(other, model_file)
    monkeypatch.undo()

    assert model_file.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]  # no temp file left
    tlm.load(model_file)


def test_save_errors_are_one_line_and_clean(tmp_path, model_file, monkeypatch):
    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    old = model_file.read_bytes()
    monkeypatch.setattr(modelfile.os, "fsync", disk_full)
    with pytest.raises(TlmError, match="cannot write .*model.json: No space left"):
        modelfile.save(tlm.load(model_file), model_file)
    assert model_file.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]


def test_save_into_missing_folder_is_a_tlm_error(tmp_path, model_file):
    with pytest.raises(TlmError, match="cannot write"):
        modelfile.save(tlm.load(model_file), tmp_path / "no" / "such" / "m.json")


def test_saved_file_has_ordinary_permissions(tmp_path, model_file):
    """Not the private 0600 of a temporary file: the umask decides, and a replaced
    file keeps its mode."""
    model = tlm.load(model_file)
    old_umask = os.umask(0o022)
    try:
        new = modelfile.save(model, tmp_path / "new.json")
        assert stat.S_IMODE(new.stat().st_mode) == 0o644
        os.chmod(new, 0o640)
        modelfile.save(model, new)
        assert stat.S_IMODE(new.stat().st_mode) == 0o640
    finally:
        os.umask(old_umask)


# -- files that are not good models --------------------------------------------------------


def model_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def bad_model_files(folder: Path, good: Path) -> dict[str, tuple[Path, list[str]]]:
    """name -> (file, key words its error must have)."""
    data = good.read_bytes()
    out: dict[str, tuple[Path, list[str]]] = {}

    def add(name: str, content: bytes | str | dict | list, *keywords: str) -> None:
        # a neutral file name, so that the key words must come from the message itself
        path = folder / f"bad-{len(out)}.json"
        if isinstance(content, dict | list):
            content = json.dumps(content)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        out[name] = (path, [path.name, *keywords])

    for cut in (0.5, 0.9, 0.01):
        add(f"truncated-{cut}", data[: int(len(data) * cut)], "truncated")
    add("truncated-last-byte", data[:-1], "truncated")
    cut = data.index(b'"words":["') + len(b'"words":["') + 2  # inside a word: an open string
    add("truncated-in-a-word", data[:cut], "truncated")
    add("truncated-pretty", json.dumps(model_json(good), indent=2)[:300], "truncated")
    add("foreign-object", {"name": "my notes", "items": [1, 2]}, "not a tlm model")
    add("foreign-list", [1, 2, 3], "not a tlm model")
    add("foreign-format", {"format": "word2vec", "version": 1}, "not a tlm model")
    newer = model_json(good) | {"version": 2}
    add("newer", newer, "newer", "version 2", "upgrade")
    add("not-json", "how much wood would a wood chuck chuck\n", "not a tlm model", "JSON")
    add("binary", bytes(range(256)) * 4, "not a tlm model")
    add("empty", b"", "empty")
    add("blank", b"  \n", "empty")
    unknown_type = model_json(good) | {"type": "hopfield"}
    add("unknown-type", unknown_type, "unknown model type", "hopfield")
    bad_shape = model_json(good)
    bad_shape["arrays"]["W"]["data"] = bad_shape["arrays"]["W"]["data"][:-1]
    bad_shape["arrays"]["W"]["shape"] = [31, 12]
    add("bad-shape", bad_shape, "damaged", "W")
    no_arrays = model_json(good)
    del no_arrays["arrays"]
    add("no-arrays", no_arrays, "damaged", "arrays")
    nan = model_json(good)
    nan["arrays"]["b"]["data"][3] = float("nan")
    add("nan", json.dumps(nan), "damaged", "NaN")
    vocab = model_json(good)
    vocab["vocab"]["counts"] = vocab["vocab"]["counts"][:-1]
    add("vocab-counts", vocab, "damaged", "vocabulary")
    history = model_json(good)
    history["history"] = "lots of epochs"
    add("history", history, "damaged", "history")
    damaged = data.replace(b'"vocab":', b'"vocab";', 1)
    add("damaged-middle", damaged, "damaged", "line")
    return out


def test_load_explains_every_bad_file(tmp_path, trained):
    for name, (path, keywords) in bad_model_files(tmp_path, trained).items():
        with pytest.raises(TlmError) as e:
            tlm.load(path)
        message = str(e.value)
        assert "\n" not in message
        for word in keywords:
            assert word.lower() in message.lower(), (name, message)


@pytest.mark.parametrize("command", ["generate", "info"])
def test_bad_model_files_through_the_cli(run, tmp_path, trained, command, one_line_error,
                                         unchanged):
    files = bad_model_files(tmp_path, trained)
    folder = tmp_path / "a-folder"
    folder.mkdir()
    still = unchanged([path for path, _ in files.values()])
    for path, keywords in files.values():
        result = run(command, "--model", path)
        one_line_error(result, *keywords)
        assert result.stdout == ""
    one_line_error(run(command, "--model", folder), "folder")
    one_line_error(run(command, "--model", tmp_path / "nothing.json"), "not found",
                   "nothing.json")
    still()


def test_unreadable_model_file(run, model_file, one_line_error, monkeypatch):
    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)  # (the tests may run as root)
    one_line_error(run("info", "--model", model_file), "cannot read", "permission denied")


# -- tlm info --------------------------------------------------------------------------------


def test_info_summarises_the_model(run, tmp_path, chuck):
    assert run("train", "--filepath", chuck, "-t", "lower", "--epochs", "3", "--dim", "8",
               "--seed", "5", "--output", "m.json", "--quiet").exit_code == 0
    result = run("info", "--model", "m.json")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "embedding" in out
    assert "11 words" in out and "8 dimensions" in out
    assert "E (11, 8)" in out and "W (8, 11)" in out and "b (11,)" in out
    for setting in ("epochs=3", "dim=8", "context_window=2", "seed=5", "lr=", "batch_size="):
        assert setting in out
    assert str(chuck) in out and "lower" in out
    history = tlm.load("m.json").history
    for entry in history:
        assert f"Epoch {entry['epoch']}/3 loss={entry['loss']:.4f}" in out
    assert result.stderr == ""


def test_info_is_data_from_summarize_and_says_none_for_no_transforms(run, chuck):
    from tlm.summary import summarize

    model = fit("embedding", [str(chuck)], epochs=2, dim=4, seed=1).model
    s = summarize(model)
    assert (s.type, s.words, s.dimensions) == ("embedding", 11, 4)  # the 11 words, no <unk>
    assert s.arrays == {"E": (11, 4), "W": (4, 11), "b": (11,)}
    assert s.settings["epochs"] == 2 and s.info["transforms"] == []
    assert [e["epoch"] for e in s.history] == [1, 2]
    tlm.save(model, "m.json")
    out = run("info", "--model", "m.json").stdout
    assert "transforms: none\n" in out and "transforms: \n" not in out


def test_a_killed_save_leaves_nothing_behind_after_the_next_save(tmp_path: Path,
                                                                 trained: Path) -> None:
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    stale = tmp_path / f".model.json.{int(dead.stdout)}.k1ll3d.tmp"  # a SIGKILLed save's
    live = tmp_path / f".model.json.{os.getppid()}.wr1t1ng.tmp"  # a save still running
    other = tmp_path / ".notes.json.1.x.tmp"  # not a temporary of this file
    for path in (stale, live, other):
        path.write_bytes(b"{" * 100)
    modelfile.save(modelfile.load(trained), tmp_path / "model.json")
    assert not stale.exists() and live.exists() and other.exists()


def test_files_of_the_embedding_model_before_the_split_still_load(tmp_path, chuck):
    """Before the MLP had its own file and type, `--combine concat` / `--hidden` models
    were saved as type "embedding" with those settings, and every next-word model
    had a <unk> row: such files load, as the MLP or as the course's model."""
    from tlm.model import EmbeddingModel
    from tlm.models.mlp import MLPModel
    from tlm.perplexity import perplexity

    mlp = fit("embedding", [str(chuck)], combine="concat", hidden=8, epochs=1, seed=1).model
    d = json.loads(tlm.save(mlp, tmp_path / "mlp.json").read_text(encoding="utf-8"))
    assert d["type"] == "mlp"
    d["type"] = "embedding"                                     # as tlm wrote it before
    (tmp_path / "old-mlp.json").write_text(json.dumps(d), encoding="utf-8")
    old = tlm.load(tmp_path / "old-mlp.json")
    assert isinstance(old, MLPModel) and old.config.hidden == 8
    np.testing.assert_array_equal(old._forward("wood chuck")[1], mlp._forward("wood chuck")[1])

    course = fit("embedding", [str(chuck)], epochs=1, seed=1).model
    d = json.loads(tlm.save(course, tmp_path / "m.json").read_text(encoding="utf-8"))
    d["config"] |= {"combine": "mean", "hidden": 0}              # the old config's fields
    d["vocab"] = {"words": ["<unk>", *d["vocab"]["words"]], "counts": [0, *d["vocab"]["counts"]]}
    rng = np.random.default_rng(0)
    E = np.vstack([rng.normal(size=(1, 32)), course.E]).astype(np.float32)   # a <unk> row
    W = np.hstack([rng.normal(size=(32, 1)), course.W]).astype(np.float32)
    b = np.concatenate([[0.0], course.b]).astype(np.float32)
    d["arrays"] = {n: modelfile.encode_array(a) for n, a in {"E": E, "W": W, "b": b}.items()}
    from tlm import schema

    d["checksum"] = schema.checksum(d["vocab"]["words"], d["vocab"]["counts"],
                                    {"E": E, "W": W, "b": b})
    (tmp_path / "old.json").write_text(json.dumps(d), encoding="utf-8")
    old = tlm.load(tmp_path / "old.json")
    assert type(old) is EmbeddingModel and old.vocab[0] == "<unk>" and old.E.shape == (12, 32)
    held_out = [old.vocabulary.encode("how much zebra wood would a".split())]
    p = perplexity(old, held_out)          # 'zebra' is <unk> to it: not scored, counted
    assert (p.scored, p.unknown) == (3, 1)
