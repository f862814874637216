"""The Python shell opened by `--interact`: everything only the shell needs.

`tlm train/generate --interact` opens it on a model, `wp --interact` on
pretrained vectors (GloVe as `glove`). The helpers are the library's
(tlm/geometry.py, tlm/compare.py, tlm/explore.py) with the vectors filled in; a
TlmError in the shell prints one line, `Error: ...`, instead of a traceback.

    vec('king - man + woman')               # the notebook's notation: a vector
    neighbors('king - man + woman')         # its nearest words, with the background
    explore.directions(vectors=glove)       # any analysis of `tlm explore`, on GloVe
    plot(explore.directions())              # the picture (plt.show() opens it)
    compare('king')                         # this model | word2vec() | GloVe

Sections: the lazily loaded `glove`; the geometry helpers; the explorer; the
comparison with other vectors; the names and banners; the shell itself.

IPython when it is installed and the input is a terminal; otherwise Python's
own console with tab completion (which also reads commands piped to it).
"""

from __future__ import annotations

import code
import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tlm import explore as ex
from tlm import geometry, pretrained
from tlm.compare import Sources, model_label, neighbors_table, similarity_table
from tlm.errors import TlmError
from tlm.models.base import Model

if TYPE_CHECKING:
    from gensim.models import KeyedVectors


# -- the lazily loaded `glove` -----------------------------------------------------------
class LazyVectors:
    """Stands in for a KeyedVectors that is loaded on first use, so the shell can
    offer `glove` without making every start wait for it.

        glove                         # <glove-wiki-gigaword-50: loads on first use>
        glove.most_similar('king')    # loads, then behaves as the KeyedVectors
    """

    def __init__(self, source: str = pretrained.GLOVE, **load_args: Any) -> None:
        self.source = source
        self._load_args = load_args
        self._kv: KeyedVectors | None = None

    @property
    def loaded(self) -> bool:
        return self._kv is not None

    def load(self) -> KeyedVectors:
        if self._kv is None:
            self._kv = pretrained.load(self.source, **self._load_args)
        return self._kv

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # IPython's display probes must not trigger a load
            raise AttributeError(name)
        return getattr(self.load(), name)

    def __dir__(self) -> list[str]:  # tab completion shows the KeyedVectors' names once loaded
        names = set(super().__dir__())
        if self._kv is not None:
            names |= set(dir(self._kv))
        return sorted(names)

    def __getitem__(self, key: Any) -> Any:
        return self.load()[key]

    def __contains__(self, key: Any) -> bool:
        return key in self.load()

    def __len__(self) -> int:
        return len(self.load())

    def __repr__(self) -> str:
        label = pretrained.describe(self.source)
        if self._kv is None:
            return f"<{label}: loads on first use>"
        return f"<{label}: {len(self._kv)} words x {self._kv.vector_size} dims>"


# -- helpers bound to the vectors -------------------------------------------------------
def _bound(fn: Callable, vectors: Any, name: str, doc: str) -> Callable:
    bound = functools.partial(fn, vectors)
    bound.__name__ = bound.__qualname__ = name  # type: ignore[attr-defined]
    bound.__doc__ = doc
    return bound


def geometry_helpers(vectors: KeyedVectors | Model) -> dict[str, Callable]:
    """vec, sim, neighbors and analogy with the vectors filled in: `vec('cat')`,
    `sim('cat', 'dog')`, `neighbors('emma')`, `analogy('man', 'king', 'woman')`."""
    helpers = {
        "vec": _bound(geometry.vec, vectors, "vec",
                      "vec(word): the word's vector (for a model, its row of E)"),
        "sim": _bound(geometry.sim, vectors, "sim",
                      "sim(a, b): cosine similarity (-1 to 1) of two words or vectors"),
        "neighbors": _bound(geometry.neighbors, vectors, "neighbors",
                            "neighbors(x, k=10): the k nearest words to a word or a vector"),
        "analogy": _bound(geometry.analogy, vectors, "analogy",
                          "analogy(a, b, c, k=5): a is to b as c is to ...? "
                          "(the words nearest b - a + c)"),
    }
    if isinstance(vectors, Model):
        helpers["onehot"] = _bound(geometry.onehot, vectors, "onehot",
                                   "onehot(word): (V,) zeros with a 1 at the word's index")
    return helpers


# -- the explorer: explore.<analysis>(), plot(result), vec/neighbors of 'a - b + c' ------
#: The analyses `explore` offers, by name (overlap and the shell's own helpers aside).
ANALYSES: dict[str, Callable] = {
    "norms": ex.norms, "background": ex.background, "pairs": ex.pairs,
    "neighbors": ex.neighbors, "analogy": ex.analogy, "cos_vs_euclid": ex.cos_vs_euclid,
    "axes": ex.axes, "directions": ex.directions, "numbers": ex.numbers,
    "categories": ex.categories, "matrix": ex.matrix, "hubness": ex.hubness, "pca": ex.pca,
    "frequency": ex.frequency, "loss": ex.loss,
}


def _resolve(vectors: Any) -> Any:
    """A LazyVectors (the shell's `glove`) stands for the table it loads."""
    return vectors.load() if isinstance(vectors, LazyVectors) else vectors


class Explorer:
    """explore.<analysis>(..., vectors=None): each analysis of tlm/explore.py on
    this model (or on `vectors=`). explore.overlap(glove, ...) compares tables."""

    def __init__(self, source: Any) -> None:
        self.source = source
        for name, fn in ANALYSES.items():
            setattr(self, name, self._bind(fn))
        self.overlap = self._overlap

    def _bind(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def method(*args: Any, vectors: Any = None, **kwargs: Any) -> Any:
            return fn(self.source if vectors is None else _resolve(vectors), *args, **kwargs)

        method.__doc__ = f"{fn.__doc__}\n\n(vectors=None: this model; vectors=glove: GloVe)"
        return method

    def _overlap(self, *others: Any, **kwargs: Any) -> ex.Overlap:
        """overlap(glove, ..., words=None, k=10): how much this model and the others
        agree (nearest-word Jaccard overlap, Spearman correlation of pair cosines)."""
        sources = {"this model": self.source}
        for n, other in enumerate(others, start=1):
            sources[f"source {n}"] = _resolve(other)
        return ex.overlap(sources, **kwargs)

    def __repr__(self) -> str:
        return "explore." + "(), explore.".join([*ANALYSES, "overlap"]) + "()"


def show(results: Any) -> Any:
    """plot(result): the picture of any explore result (or {label: result}); in a
    window when there is a display, inline in Jupyter; returns the figure."""
    import matplotlib
    import matplotlib.pyplot as plt

    from tlm import plot

    fig = plot.plot(results)
    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "ps", "cairo", "template"):
        plt.show(block=False)
    return fig


def explore_helpers(source: Any) -> dict[str, Any]:
    """explore, plot, vec and neighbors, for the shell's namespace."""

    def vec(expression: str) -> np.ndarray:
        """vec('king') or vec('king - man + woman'): the vector, rows added and subtracted."""
        if isinstance(expression, str) and len(ex.parse_expression(expression)) > 1:
            return ex.vector(source, expression)[0]
        return geometry.vec(source, expression)

    def neighbors(query: Any, k: int = 10, skip_variants: bool = False) -> ex.Neighbors:
        """neighbors(word | 'king - man + woman' | vector, k=10): the nearest words by cosine,
        with where random pairs of this model stand (their mean and 99th percentile)."""
        return ex.neighbors(source, query, k, skip_variants)

    return {
        "explore": Explorer(source),
        "plot": show,
        "vec": vec,
        "neighbors": neighbors,
    }


# -- the comparison with other vectors ----------------------------------------------------
class ShellComparison:
    """The shell's `glove`, `word2vec(...)`, `compare(...)` and `compare_sim(...)`.

    `compare` shows one column per loaded source: this model, whatever
    `word2vec(...)` loaded (word2vec-same-corpus first), and GloVe (loaded on
    first use).
    """

    def __init__(self, model: Model, model_path: str | os.PathLike | None = None) -> None:
        self.model = model
        self.model_path = model_path
        self.glove = LazyVectors(pretrained.GLOVE)
        self.loaded: dict[str, KeyedVectors] = {}

    def sources(self) -> Sources:
        sources: Sources = [(model_label(self.model, self.model_path), self.model.vectors)]
        if pretrained.SAME_CORPUS in self.loaded:
            sources.append((pretrained.SAME_CORPUS, self.loaded[pretrained.SAME_CORPUS]))
        if pretrained.GLOVE not in self.loaded:
            sources.append((pretrained.GLOVE, self.glove.load()))
        others = [(n, kv) for n, kv in self.loaded.items() if n != pretrained.SAME_CORPUS]
        return sources + others

    def word2vec(
        self, source: str = pretrained.SAME_CORPUS, text: str | Sequence[str] | None = None
    ) -> KeyedVectors:
        """Load word vectors and add them to compare(): by default gensim's
        Word2Vec trained on this model's text with its settings (name a text
        file the model was trained on: `word2vec(text='chuck.txt')`); or a name
        such as word2vec-google-news-300, or a word2vec/GloVe file path."""
        if isinstance(text, str | os.PathLike):
            text = [os.fspath(text)]
        kv = pretrained.load(source, self.model, self.model_path, report=print, text=text)
        self.loaded[pretrained.describe(source)] = kv
        return kv

    def compare(self, word: str, k: int = 10) -> None:
        """Print the k nearest words to `word`, one column per loaded model."""
        print(neighbors_table(word, self.sources(), k))

    def compare_sim(self, a: str, b: str) -> None:
        """Print the cosine similarity of `a` and `b`, one row per loaded model."""
        print(similarity_table(a, b, self.sources()))


# -- what the shell starts with -----------------------------------------------------------
def namespace(model: Model, **extra: Any) -> dict[str, Any]:
    """The names the shell starts with, for a model."""
    if not model.has_vectors:
        return count_namespace(model, **extra)
    ns: dict[str, Any] = {"model": model, "np": np, "E": model.E, "vocab": model.vocab}
    ns["word_to_idx"] = model.word_to_idx
    for name in model.array_names:
        ns[name] = model.arrays[name]
    ns.update(geometry_helpers(model))
    # explore.<analysis>(), plot(result), and the notebook's notation on top of vec and
    # neighbors: vec('king - man + woman'), neighbors('king - man + woman')
    ns.update(explore_helpers(model))
    c = ShellComparison(model, extra.get("model_path"))
    ns.update(glove=c.glove, word2vec=c.word2vec, compare=c.compare, compare_sim=c.compare_sim)
    ns.update(extra)
    return ns


def count_namespace(model: Any, **extra: Any) -> dict[str, Any]:
    """A count model has counts, not vectors: the matrix, its contexts, row()."""
    ns: dict[str, Any] = {"model": model, "np": np, "vocab": model.vocab,
                          "word_to_idx": model.word_to_idx, "counts": model.counts,
                          "contexts": model.contexts, "row": model.row}
    ns.update(extra)
    return ns


def count_banner(model: Any, ns: dict[str, Any]) -> str:
    V, K = model.counts.shape
    C, smoothing = model.config.context_window, model.config.smoothing
    context = " ".join(model.contexts[0]) if K and C else "wood chuck"
    lines = [
        f"tlm shell: a count model with {V} words and {K} contexts of {C} words "
        f"(smoothing {smoothing}).",
        f"  model            the model (model.counts {V}x{K}, model.contexts, model.vocab, ...)",
        "  counts           scipy sparse (words x contexts): counts[w, j] = times word w "
        "followed context j",
        "  contexts         the context of each column of counts, as words",
        "  row(context)     the counts after a context, as words: row('wood chuck')",
        "  vocab, word_to_idx  the words, and word -> row of counts",
        "  np               numpy",
    ]
    if "text" in ns:
        lines.append("  text             the text just generated")
    lines.append(f"Try: row({context!r}), counts.toarray(), "
                 f"model._forward({context.split()!r})")
    return "\n".join(lines)


def banner(model: Model, ns: dict[str, Any]) -> str:
    if not model.has_vectors:
        return count_banner(model, ns)
    V, d = model.E.shape
    arrays = ", ".join(f"{n} {model.arrays[n].shape}" for n in model.array_names)
    frequent = model.vectors.index_to_key[:2] or ["word"]  # most frequent first, no <unk>
    example = frequent[0]
    lines = [
        f"tlm shell: {'an' if model.type[:1] in 'aeiou' else 'a'} {model.type} model "
        f"with {V} words and {d} dimensions.",
        f"  model            the model ({arrays}; also model.E, model.vocab, ...)",
        "  vocab, word_to_idx  the words, and word -> row of E",
        "  np               numpy",
    ]
    if "text" in ns:
        lines.append("  text             the text just generated")
    if model.predicts_next_word:
        lines.append(f"  model._forward({frequent!r})  context words (or ids) -> (h, p): "
                     "context vector, next-word probabilities")
    lines += [
        "  vec(word)        the word's vector, its row of E; vec('king - man + woman') too",
        "  onehot(word)     (V,) one-hot vector: onehot(w) @ E is the same row as vec(w)",
        "  sim(a, b)        cosine similarity of two words or two vectors",
        "  neighbors(x, k=10)  the k nearest words to a word, a vector or 'king - man + woman',",
        "                   beside the cosine of random pairs (mean, 99th percentile)",
        "  explore.norms(), explore.directions(vectors=glove), ...  every analysis of",
        "                   `tlm explore`; plot(result) draws it",
        "  analogy(a, b, c)  a is to b as c is to ...? analogy('man', 'king', 'woman')",
        "  (sim and neighbors take vectors too: sim(vec('a'), vec('b')) needs no def sim)",
        "  glove            GloVe 6B 50-d vectors (a gensim KeyedVectors), loaded on first use",
        "  word2vec()       gensim's Word2Vec trained on this model's text and settings",
        "                   (a text of your own: word2vec(text='PATH'));",
        "                   word2vec(NAME|PATH) loads others (e.g. a word2vec or GloVe file)",
        "  compare(word, k=10)  nearest words: this model | word2vec() loads | GloVe",
        "  compare_sim(a, b)    cosine similarity of two words, one row per model",
        f"Try: model.E[model.word_to_idx[{example!r}]]",
    ]
    return "\n".join(lines)


def vectors_namespace(kv: KeyedVectors, name: str) -> dict[str, Any]:
    """The names `wp --interact` starts with: the vectors as `glove` (GloVe) or
    `vectors` (any other source), numpy, and the geometry helpers bound to them
    (with the explorer's: explore.KIND(), plot(result), vec/neighbors of 'a - b + c')."""
    return {"glove" if name == pretrained.GLOVE else "vectors": kv, "np": np,
            **geometry_helpers(kv), **explore_helpers(kv)}


def vectors_banner(kv: KeyedVectors, name: str, ns: dict[str, Any]) -> str:
    var = "glove" if "glove" in ns else "vectors"
    return "\n".join([
        f"wp shell: {pretrained.describe(name)}, {len(kv)} words of {kv.vector_size} "
        "dimensions.",
        f"  {var:<16} the vectors (a gensim KeyedVectors): {var}['cat'], "
        f"{var}.similarity('cat', 'dog'), {var}.most_similar('cat')",
        "  np               numpy",
        "  vec(word)        the word's vector; vec('king - man + woman') too",
        "  sim(a, b)        cosine similarity of two words or two vectors",
        "  neighbors(x, k=10)  the k nearest words to a word, a vector or 'king - man + woman',",
        "                   beside the cosine of random pairs (mean, 99th percentile)",
        "  explore.norms(), explore.directions(), ...  every analysis of `tlm explore`;",
        "                   plot(result) draws it",
        "  analogy(a, b, c)  a is to b as c is to ...? analogy('man', 'king', 'woman')",
        "Try: sim('cat', 'dog')",
    ])


# -- the shell itself ---------------------------------------------------------------------
class Console(code.InteractiveConsole):
    """Python's console, with a TlmError shown as one line."""

    def showtraceback(self) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, TlmError):
            self.write(f"Error: {error}\n")
        else:
            super().showtraceback()


def _one_line(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None):
    print(f"Error: {value}", file=sys.stderr)


def start(ns: dict[str, Any], banner_text: str) -> None:
    """Open an interactive shell with `ns` as its globals."""
    if sys.stdin.isatty():
        try:
            from IPython.terminal.ipapp import TerminalIPythonApp
        except ImportError:
            pass
        else:
            print(banner_text)
            app = TerminalIPythonApp.instance(user_ns=ns)
            app.initialize(["--no-banner"])
            app.shell.set_custom_exc((TlmError,), _one_line)
            app.start()
            return
    try:
        import readline
        import rlcompleter

        readline.set_completer(rlcompleter.Completer(ns).complete)
        readline.parse_and_bind("tab: complete")
    except ImportError:  # no readline on this platform: no completion
        pass
    Console(ns).interact(banner=banner_text, exitmsg="")


def interact(model: Model, **extra: Any) -> None:
    """The shell on a model (`tlm train/generate --interact`)."""
    ns = namespace(model, **extra)
    start(ns, banner(model, ns))


def interact_vectors(kv: KeyedVectors, name: str) -> None:
    """The shell on pretrained vectors (`wp --interact`)."""
    ns = vectors_namespace(kv, name)
    start(ns, vectors_banner(kv, name, ns))
