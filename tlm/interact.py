"""The Python shell opened by `--interact`: everything only the shell needs.

`tlm train/generate --interact` opens it on a model, `wp --interact` on
pretrained vectors (GloVe as `glove`). The helpers are the library's
(tlm/vectors.py, tlm/compare.py, tlm/analyses/) with the vectors filled in,
each taking `vectors=` for another table; a TlmError (a wrong argument too)
prints one line, `Error: ...`, instead of a traceback.

    vec('king - man + woman')               # the notebook's notation: a vector
    neighbors('king - man + woman')         # its nearest words, with the background
    explore.directions(glove)               # any analysis of `tlm explore`, on GloVe
    plot(explore.directions())              # the picture (plt.show() opens it)
    compare('king')                         # this model | word2vec() | GloVe

Sections: the lazily loaded `glove`; the geometry helpers; the explorer; the
comparison with other vectors; the names and banners; the shell itself.

IPython when it is installed and the input is a terminal; otherwise Python's
own console with tab completion (which also reads commands piped to it).
"""

from __future__ import annotations

import code
import inspect
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from tlm import pretrained, vectors
from tlm.analyses import draw, registry
from tlm.analyses.neighbors import neighbors
from tlm.compare import (
    Sources,
    model_label,
    neighbors_columns,
    render_neighbors,
    render_similarity,
    similarities,
)
from tlm.errors import TlmError
from tlm.models.base import Model
from tlm.terminal import visible
from tlm.vocab import spelling_hint

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
class UnknownWord(TlmError, KeyError):
    """A word the vocabulary lacks, looked up by `word_to_idx[...]` in the shell:
    still a KeyError for code that catches one, one line in the shell."""

    def __str__(self) -> str:
        return str(self.args[0])


class WordIndex(dict):
    """The vocabulary's word -> row dict, whose missing word says which word it
    is and which it may have meant, in one line."""

    def __missing__(self, word: Any) -> int:
        close = [w for w in (str(word).lower(), str(word).capitalize()) if w in self]
        hint = f"; did you mean {close[0]!r}?" if close else spelling_hint(str(word), list(self))
        raise UnknownWord(f"{word!r} is not in the vocabulary{hint}")


def _shell_helper(fn: Callable, name: str, usage: str, default: Any) -> Callable:
    """fn(source, ...) as the shell's `name(..., vectors=None)`: the source is
    `default` unless `vectors=` names another; a wrong argument is a TlmError
    (one line in the shell) showing the usage."""
    signature = inspect.signature(fn)

    def helper(*args: Any, vectors: Any = None, **kwargs: Any) -> Any:
        source = default if vectors is None else _resolve(vectors)
        try:
            signature.bind(source, *args, **kwargs)
        except TypeError as e:
            raise TlmError(f"{e}; use {usage}") from None
        return fn(source, *args, **kwargs)

    helper.__name__ = helper.__qualname__ = name
    helper.__doc__ = f"{usage}: {fn.__doc__.splitlines()[0]}\n\n(vectors=glove: on GloVe)"
    return helper


def _vec(source: Any, word: str) -> np.ndarray:
    """The vector of a word (for a model its row of E) or of 'king - man + woman';
    says which word was used when the table spells it differently."""
    if isinstance(word, str):
        for _, w in vectors.parse_expression(word):
            k = vectors.find(source, w)
            if k is not None and k != w:
                print(f"(used {k!r}: the vectors have no {w!r})")
    return vectors.vec(source, word)


def geometry_helpers(source: KeyedVectors | Model) -> dict[str, Callable]:
    """vec, sim, neighbors and analogy (onehot for a model) with the vectors filled
    in, each taking `vectors=` for another table: `vec('cat')`, `sim('cat', 'dog')`,
    `neighbors('emma', k=3)`, `analogy('man', 'king', 'woman', vectors=glove)`."""
    helpers = {
        "vec": _shell_helper(_vec, "vec", "vec(word or 'king - man + woman')", source),
        "sim": _shell_helper(vectors.sim, "sim", "sim(a, b)", source),
        "neighbors": _shell_helper(neighbors, "neighbors", "neighbors(x, k=10)", source),
        "analogy": _shell_helper(vectors.analogy, "analogy", "analogy(a, b, c, k=10)", source),
    }
    if isinstance(source, Model):
        helpers["onehot"] = _shell_helper(vectors.onehot, "onehot", "onehot(word)", source)
    return helpers


# -- the explorer: explore.<analysis>() and plot(result) ----------------------------------
def _resolve(source: Any) -> Any:
    """A LazyVectors (the shell's `glove`) stands for the table it loads."""
    return source.load() if isinstance(source, LazyVectors) else source


def _is_source(x: Any) -> bool:
    return isinstance(x, Model | LazyVectors) or hasattr(x, "key_to_index")


class Explorer:
    """explore.<analysis>(...): each analysis of tlm/analyses/ on this model or
    these vectors; a table first (`explore.background(glove)`) or `vectors=glove`
    runs it there instead, as the Python form `tlm.explore.background(glove)` does."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.names = []
        for analysis in registry().values():
            setattr(self, analysis.python_name, self._bind(analysis))
            self.names.append(analysis.python_name)

    def _bind(self, analysis: Any) -> Callable:
        fn = analysis.compute
        usage = f"explore.{analysis.python_name}(...)"

        def method(*args: Any, vectors: Any = None, **kwargs: Any) -> Any:
            if analysis.across:  # overlap: this source and the others given
                others = [_resolve(a) for a in ([vectors] if vectors is not None else [])
                          + [a for a in args if _is_source(a)]]
                args = tuple(a for a in args if not _is_source(a))
                sources = {"this": self.source}
                sources.update({f"source {n}": o for n, o in enumerate(others, start=1)})
                return fn(sources, *args, **kwargs)
            if args and _is_source(args[0]) and vectors is None:
                vectors, args = args[0], args[1:]
            source = self.source if vectors is None else _resolve(vectors)
            try:
                inspect.signature(fn).bind(source, *args, **kwargs)
            except TypeError as e:
                raise TlmError(f"{e}; see help({usage[:-5]})") from None
            return fn(source, *args, **kwargs)

        method.__name__ = analysis.python_name
        method.__doc__ = (f"{analysis.question}\n\n{fn.__doc__}\n\n(a table first, or "
                          "vectors=glove, runs it on that table)")
        return method

    def __repr__(self) -> str:
        return "explore." + "(), explore.".join(self.names) + "()"


def show(results: Any) -> Any:
    """plot(result): the picture of any explore result (or {label: result}); in a
    window when there is a display, inline in Jupyter; returns the figure."""
    fig = draw(results)
    try:
        if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "ps", "cairo",
                                                    "template"):
            # a window needs pyplot's figure manager
            manager = plt.figure().canvas.manager  # a managed window, given this figure
            manager.canvas.figure = fig
            fig.set_canvas(manager.canvas)
            plt.show(block=False)
    except Exception as e:  # a window is a nicety: the figure is returned whatever fails
        print(f"(no window: matplotlib cannot load its backend: {visible(str(e))})")
    return fig


def explore_helpers(source: Any) -> dict[str, Any]:
    """explore and plot, for the shell's namespace."""
    return {"explore": Explorer(source), "plot": show}


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
        kv = pretrained.load(source, self.model, self.model_path,
                             report=lambda line: print(visible(line)), text=text)
        self.loaded[pretrained.describe(source)] = kv
        return kv

    def compare(self, word: str, k: int = 10) -> None:
        """Print the k nearest words to `word`, one column per loaded model."""
        print(visible(render_neighbors(word, neighbors_columns(word, self.sources(), k))))

    def compare_sim(self, a: str, b: str) -> None:
        """Print the cosine similarity of `a` and `b`, one row per loaded model."""
        sources = self.sources()
        print(visible(render_similarity(a, b, similarities(a, b, sources), sources)))


# -- what the shell starts with -----------------------------------------------------------
def _index_words(model: Any) -> None:
    """Give the model's word -> row dict the shell's one-line KeyError (`wi['Emma']`
    names the word and the spelling the vocabulary has); it stays a dict."""
    vocabulary = getattr(model, "vocabulary", None)
    index = getattr(vocabulary, "word_to_idx", None)
    if isinstance(index, dict) and not isinstance(index, WordIndex):
        vocabulary.word_to_idx = WordIndex(index)


#: The helpers every shell binds, as its banner shows them (each runs on another
#: table with vectors=..., e.g. vectors=glove).
HELPER_LINES = (
    "  vec(word)        the word's vector (a model's row of E); vec('king - man + woman') too",
    "  sim(a, b)        cosine similarity of two words, expressions or vectors",
    "  neighbors(x, k=10)  the k nearest words to a word, a vector or 'king - man + woman'",
    "                   (its words left out), beside the cosine of random pairs",
    "  analogy(a, b, c, k=10)  a is to b as c is to ...? analogy('man', 'king', 'woman'):",
    "                   the same list as neighbors('king - man + woman')",
    "  each takes vectors= for another table: neighbors('king', k=3, vectors=glove)",
    "  explore.norms(), explore.background(glove), ...  every analysis of `tlm explore`",
    "                   (a table first runs it there); plot(result) draws it",
)


def namespace(model: Model, **extra: Any) -> dict[str, Any]:
    """The names the shell starts with, for a model."""
    if not model.has_vectors:
        return count_namespace(model, **extra)
    _index_words(model)
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
        HELPER_LINES[0],
        "  onehot(word)     (V,) one-hot vector: onehot(w) @ E is the same row as vec(w)",
        *HELPER_LINES[1:],
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
    """The names `wp --interact` starts with: the vectors as `model` (as the lab
    names them) and as `glove` (GloVe) or `vectors` (any other source), numpy,
    and the helpers bound to them (vec, sim, neighbors, analogy, explore, plot)."""
    return {"model": kv, "glove" if name == pretrained.GLOVE else "vectors": kv, "np": np,
            **geometry_helpers(kv), **explore_helpers(kv)}


def vectors_banner(kv: KeyedVectors, name: str, ns: dict[str, Any]) -> str:
    var = "glove" if "glove" in ns else "vectors"
    return "\n".join([
        f"wp shell: {pretrained.describe(name)}, {len(kv)} words of {kv.vector_size} "
        "dimensions.",
        f"  model, {var:<9} the vectors (a gensim KeyedVectors): model['cat'], "
        "model.similarity('cat', 'dog'),",
        "                   model.most_similar('king', topn=5)",
        "  np               numpy",
        *HELPER_LINES,
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
    print(visible(f"Error: {value}"), file=sys.stderr)


def start(ns: dict[str, Any], banner_text: str) -> None:
    """Open an interactive shell with `ns` as its globals. Numbers print as the
    course's pages show them (`0.8219`, not numpy 2's `np.float32(0.8219)`)."""
    with np.printoptions(legacy="1.25"):
        _start(ns, banner_text)


def _start(ns: dict[str, Any], banner_text: str) -> None:
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
