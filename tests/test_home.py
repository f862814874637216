"""The test run never writes to the real home folder: conftest.py gives the whole
session a private one, and every folder tlm or its libraries would cache in lies
inside it."""

from __future__ import annotations

import os
from pathlib import Path

from tlm.pretrained import cache, gensim_data, hf


def test_every_cache_folder_is_inside_the_private_home() -> None:
    home = Path(os.environ["TLM_TEST_HOME"])
    assert Path.home() == home
    folders = {
        "tlm's cache": cache.cache_dir(),
        "gensim-data": gensim_data.data_dir(),
        "the Hugging Face cache": hf.hub_cache(),
        "matplotlib's configuration": Path(os.environ["MPLCONFIGDIR"]),
    }
    for what, folder in folders.items():
        assert folder is not None and folder.is_relative_to(home), (what, folder)
