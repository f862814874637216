"""Start-up: `tlm --help` and the command list load no numerical library (the
model classes, numpy and scipy are imported only when a command needs them)."""

from __future__ import annotations

import os
import subprocess
import sys

from tlm.models import MODEL_TYPES, MODELS


def test_the_model_types_listed_without_loading_them_are_the_registry():
    assert MODEL_TYPES == tuple(MODELS)
    assert all(MODELS[name].type == name for name in MODEL_TYPES)


def test_help_imports_neither_numpy_nor_scipy_nor_nltk():
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from tlm.cli import cli\n"
        "for args in (['--help'], ['train', '--help'], ['generate', '--help']):\n"
        "    result = CliRunner().invoke(cli, args)\n"
        "    assert result.exit_code == 0, result.output\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'scipy', 'nltk',\n"
        "                                                         'gensim', 'torch'})\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_generating_from_an_embedding_model_loads_no_scipy(model_file):
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from tlm.cli import cli\n"
        f"result = CliRunner().invoke(cli, ['generate', '--model', {str(model_file)!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'nltk', 'gensim'})\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_training_on_a_gutenberg_text_that_is_there_imports_no_nltk(tmp_path):
    """NLTK (its downloader pulls in scipy.stats) is imported only to download the
    corpus, not to train on a text that is already on disk."""
    folder = tmp_path / "nltk_data" / "corpora" / "gutenberg"
    folder.mkdir(parents=True)
    (folder / "tiny.txt").write_bytes(b"how much wood would a wood chuck chuck\n" * 20)
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from tlm.cli import cli\n"
        "result = CliRunner().invoke(cli, ['train', '--gutenberg', 'tiny.txt', '--epochs', '1',\n"
        f"                                 '--output', {str(tmp_path / 'm.json')!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "assert 'nltk' not in {m.split('.')[0] for m in sys.modules}\n"
    )
    env = {**os.environ, "NLTK_DATA": str(tmp_path / "nltk_data"), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "m.json").exists()
