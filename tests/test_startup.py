"""Start-up: `tlm --help` and the command list load no numerical library (the
model classes, numpy and scipy are imported only when a command needs them)."""

from __future__ import annotations

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
