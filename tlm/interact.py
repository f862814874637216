"""The Python shell opened by `--interact`: the model and helpers to look inside.

IPython when it is installed and the input is a terminal; otherwise Python's
own console with tab completion (which also reads commands piped to it).
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from tlm import geometry
from tlm.compare import shell_helpers
from tlm.models.base import Model


def namespace(model: Model, **extra: Any) -> dict[str, Any]:
    """The names the shell starts with."""
    ns: dict[str, Any] = {"model": model, "np": np, "E": model.E, "vocab": model.vocab}
    ns["word_to_idx"] = model.word_to_idx
    for name in model.array_names:
        ns[name] = model.arrays[name]
    ns.update(geometry.shell_helpers(model))  # sim(a, b), neighbors(word, k), analogy(a, b, c)
    # glove (loaded on first use), word2vec(...), compare(word, k=10), compare_sim(a, b)
    ns.update(shell_helpers(model, extra.get("model_path")))
    ns.update(extra)
    return ns


def banner(model: Model, ns: dict[str, Any]) -> str:
    V, d = model.E.shape
    arrays = ", ".join(f"{n} {model.arrays[n].shape}" for n in model.array_names)
    lines = [
        f"tlm shell: {'an' if model.type[:1] in 'aeiou' else 'a'} {model.type} model "
        f"with {V} words and {d} dimensions.",
        f"  model            the model ({arrays}; also model.E, model.vocab, ...)",
        "  vocab, word_to_idx  the words, and word -> row of E",
        "  np               numpy",
    ]
    if "text" in ns:
        lines.append("  text             the text just generated")
    lines += [
        "  sim(a, b)        cosine similarity of the vectors (rows of E) of two words",
        "  neighbors(word, k=10)  the k nearest words by cosine similarity",
        "  analogy(a, b, c)  a is to b as c is to ...? analogy('man', 'king', 'woman')",
        "  glove            GloVe 6B 50-d vectors (a gensim KeyedVectors), loaded on first use",
        "  word2vec()       gensim's Word2Vec trained on this model's text and settings;",
        "                   word2vec(NAME|PATH) loads others (e.g. a word2vec or GloVe file)",
        "  compare(word, k=10)  nearest words: this model | word2vec() loads | GloVe",
        "  compare_sim(a, b)    cosine similarity of two words, one row per model",
    ]
    example = model.vectors.index_to_key[0] if len(model.vectors) else "word"  # most frequent
    lines.append(f"Try: model.E[model.word_to_idx[{example!r}]]")
    return "\n".join(lines)


def start(ns: dict[str, Any], banner_text: str) -> None:
    """Open an interactive shell with `ns` as its globals."""
    if sys.stdin.isatty():
        try:
            from IPython import start_ipython
        except ImportError:
            pass
        else:
            print(banner_text)
            start_ipython(argv=["--no-banner"], user_ns=ns)
            return
    import code

    try:
        import readline
        import rlcompleter

        readline.set_completer(rlcompleter.Completer(ns).complete)
        readline.parse_and_bind("tab: complete")
    except ImportError:  # no readline on this platform: no completion
        pass
    code.interact(banner=banner_text, local=ns, exitmsg="")


def interact(model: Model, **extra: Any) -> None:
    ns = namespace(model, **extra)
    start(ns, banner(model, ns))
