"""The files a user names: every command refuses a FIFO, a device, a folder or a
symbolic link loop as input in one line (and never blocks reading one); an output
replaces only a regular file that may be replaced; an export replaces nothing
without --force, never a model and never its own input, and writes its TSV pair
whole or not at all."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tlm import export, modelfile, paths, writing
from tlm.errors import TlmError
from tlm.wp import cli as wp_cli

pytestmark = pytest.mark.usefixtures("no_hang")


def special(kind: str, folder: Path) -> tuple[Path, str]:
    """A path of the given kind and a word the refusal must contain."""
    if kind == "fifo":
        path = folder / "pipe"
        os.mkfifo(path)
        return path, "FIFO"
    if kind == "device":
        return Path("/dev/null"), "device"  # read only, never written
    if kind == "loop":
        (folder / "a").symlink_to(folder / "b")
        (folder / "b").symlink_to(folder / "a")
        return folder / "a", "symbolic link loop"
    if kind == "broken link":
        (folder / "gone").symlink_to(folder / "nowhere.txt")
        return folder / "gone", "does not exist"
    if kind == "folder":
        (folder / "dir").mkdir()
        return folder / "dir", "folder"
    raise ValueError(kind)


KINDS = ["fifo", "device", "loop", "broken link", "folder"]

# (name, arguments; {x} is the special path, {model} a trained model)
INPUTS = [
    ("train --filepath", ["train", "--filepath", "{x}"]),
    ("info --model", ["info", "--model", "{x}"]),
    ("generate --model", ["generate", "--model", "{x}"]),
    ("evaluate --model", ["evaluate", "--model", "{x}", "--no-analogies"]),
    ("evaluate --filepath", ["evaluate", "--model", "{model}", "--filepath", "{x}",
                             "--no-analogies"]),
    ("evaluate --similarity-file", ["evaluate", "--model", "{model}", "--similarity-file",
                                    "{x}", "--no-analogies"]),
    ("compare --pretrained", ["compare", "--model", "{model}", "--pretrained", "{x}", "wood"]),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name, args", INPUTS, ids=[n for n, _ in INPUTS])
def test_every_input_refuses_special_files(run, one_line_error, model_file, tmp_path,
                                           offline_pretrained, name, args, kind):
    path, word = special(kind, tmp_path)
    argv = [a.format(x=path, model=model_file) for a in args]
    one_line_error(run(*argv), word, str(path))


@pytest.mark.parametrize("kind", KINDS)
def test_wp_vectors_refuses_special_files(tmp_path, one_line_error, offline_pretrained, kind):
    from conftest import cli_runner

    path, word = special(kind, tmp_path)
    result = cli_runner().invoke(wp_cli, ["--vectors", str(path), "similar", "king"])
    one_line_error(result, word)


# -- text that is not UTF-8, or UTF-8 with a byte-order mark -------------------------------

TEXT = "how much wood would a wood chuck chuck\n"


@pytest.mark.parametrize("name, data, words", [
    ("UTF-16 with a BOM", TEXT.encode("utf-16"), ["UTF-16", "iconv -f utf-16"]),
    ("UTF-16 LE without a BOM", TEXT.encode("utf-16-le"), ["UTF-16", "iconv"]),
    ("UTF-16 BE without a BOM", TEXT.encode("utf-16-be"), ["UTF-16", "iconv"]),
    ("zeros", bytes(64), ["binary"]),
    ("latin-1", "caf\xe9 au lait\n".encode("latin1"), ["not UTF-8", "iconv"]),
])
def test_text_that_is_not_utf8_says_what_it_is(run, one_line_error, tmp_path, name, data, words):
    (tmp_path / "t.txt").write_bytes(data)
    one_line_error(run("train", "--filepath", tmp_path / "t.txt"), *words)


def test_an_unreadable_input_is_refused(tmp_path, monkeypatch):
    (tmp_path / "t.txt").write_text(TEXT)
    monkeypatch.setattr(os, "access", lambda path, mode: mode != os.R_OK)  # (tests run as root)
    with pytest.raises(TlmError, match="cannot read .*t.txt: permission denied"):
        paths.read_text(tmp_path / "t.txt")


def test_utf8_with_a_bom_is_read_without_it(tmp_path):
    (tmp_path / "t.txt").write_bytes(b"\xef\xbb\xbf" + TEXT.encode())
    assert paths.read_text(tmp_path / "t.txt") == TEXT


def test_a_model_file_with_a_bom_loads(model_file):
    data = model_file.read_bytes()
    model_file.write_bytes(b"\xef\xbb\xbf" + data)
    assert "chuck" in modelfile.load(model_file).vocab


def test_a_text_over_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "MAX_TEXT_BYTES", 10)
    (tmp_path / "t.txt").write_text(TEXT)
    with pytest.raises(TlmError, match="larger than"):
        paths.read_bytes(tmp_path / "t.txt", limit=10)


# -- outputs ---------------------------------------------------------------------------------


def test_train_output_refuses_a_fifo(run, one_line_error, chuck, tmp_path):
    path, word = special("fifo", tmp_path)
    one_line_error(run("train", "--filepath", chuck, "--output", path), word, "not replacing")
    assert stat.S_ISFIFO(path.stat().st_mode)


def test_export_output_refuses_a_fifo(run, one_line_error, model_file, tmp_path):
    path, word = special("fifo", tmp_path)
    for force in ([], ["--force"]):
        result = run("export", "--model", model_file, "--output", path, *force)
        one_line_error(result, word, "not replacing")
        assert stat.S_ISFIFO(path.stat().st_mode)


def test_check_output_refuses_a_device_without_touching_it():
    with pytest.raises(TlmError, match="system file"):
        writing.check_output("/dev/null")


def test_train_refuses_a_read_only_model(run, one_line_error, chuck, model_file, unchanged):
    model_file.chmod(0o444)
    still = unchanged([model_file])
    one_line_error(run("train", "--filepath", chuck, "--output", model_file),
                   "read-only", "chmod u+w")
    still()


def test_train_writes_through_a_symbolic_link(run, chuck, tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "model.json"
    link = tmp_path / "link.json"
    link.symlink_to(target)
    result = run("train", "--filepath", chuck, "--output", link, "--epochs", "1", "--quiet")
    assert result.exit_code == 0, result.output + result.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert "chuck" in modelfile.load(target).vocab
    assert [p.name for p in (tmp_path / "real").iterdir()] == ["model.json"]  # no temporary


# -- export ----------------------------------------------------------------------------------


def sorted_keys(model_file: Path) -> Path:
    """The same model saved with its keys sorted ("arrays" first, "format" late)."""
    path = model_file.with_name("sorted.json")
    path.write_text(json.dumps(json.loads(model_file.read_text()), sort_keys=True, indent=1))
    return path


@pytest.mark.parametrize("name, output, force, words", [
    ("a model with sorted keys", "{sorted}", True, ["tlm model file"]),
    ("a truncated model with sorted keys", "{cut}", True, ["tlm model file"]),
    ("the --model itself", "{model}", True, ["tlm model file"]),
    ("the training text", "{text}", False, ["exists", "--force"]),
    ("an older export", "{old}", False, ["exists", "--force"]),
])
def test_export_does_not_replace(run, one_line_error, model_file, chuck, tmp_path, unchanged,
                                 name, output, force, words):
    sorted_model = sorted_keys(model_file)
    cut = tmp_path / "cut.json"
    data = sorted_model.read_bytes()
    cut.write_bytes(data[: data.index(b'"history"')])  # cut after "format", deep in the file
    old = tmp_path / "old.txt"
    old.write_text("an older export\n")
    out = Path(output.format(sorted=sorted_model, cut=cut, model=model_file, text=chuck, old=old))
    still = unchanged([out, model_file])
    args = ["export", "--model", model_file, "--output", out] + (["--force"] if force else [])
    one_line_error(run(*args), *words)
    still()


def test_export_force_replaces_a_file_that_is_not_a_model(run, model_file, tmp_path):
    old = tmp_path / "old.txt"
    old.write_text("an older export\n")
    result = run("export", "--model", model_file, "--output", old, "--force")
    assert result.exit_code == 0, result.stderr
    words = len(modelfile.load(model_file).vocab)
    assert old.read_text().startswith(f"{words} 32\n")  # the header of a word2vec file


def test_export_tsv_refuses_an_existing_metadata_file(run, one_line_error, model_file, tmp_path,
                                                      unchanged):
    meta = tmp_path / "v-metadata.tsv"
    meta.write_text("someone's words\n")
    still = unchanged([meta])
    one_line_error(run("export", "--model", model_file, "--format", "tsv", "--output",
                       tmp_path / "v.tsv"), "metadata file", "exists", "--force")
    still()
    assert not (tmp_path / "v.tsv").exists()


def test_export_tsv_pair_is_written_whole_or_not_at_all(model_file, tmp_path, monkeypatch,
                                                        unchanged):
    vectors, meta = tmp_path / "v.tsv", tmp_path / "v-metadata.tsv"
    vectors.write_text("old vectors\n")
    meta.write_text("old words\n")
    still = unchanged([vectors, meta])
    write_lines = export._write_lines

    def disk_full_on_the_words(lines):
        lines = list(lines)
        if lines and "\t" not in lines[0]:  # the metadata file: words, not numbers
            def fail(f):
                raise OSError(28, "No space left on device")
            return fail
        return write_lines(lines)

    monkeypatch.setattr(export, "_write_lines", disk_full_on_the_words)
    with pytest.raises(TlmError, match="No space left"):
        export.export(modelfile.load(model_file), vectors, "tsv", force=True)
    still()


@pytest.mark.parametrize("fmt, word, message", [
    ("word2vec", "wood chuck", "space"),
    ("tsv", "wood\tchuck", "tab"),
])
def test_export_refuses_words_its_format_cannot_hold(model_file, tmp_path, fmt, word, message):
    model = modelfile.load(model_file)
    model.vocab[model.word_to_idx["chuck"]] = word
    with pytest.raises(TlmError, match=message):
        export.export(model, tmp_path / "v.out", fmt)
    assert not (tmp_path / "v.out").exists()
