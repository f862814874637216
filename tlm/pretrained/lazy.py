"""A stand-in for vectors that are loaded on first use, so the shell can offer
`glove` without making every start wait for it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gensim.models import KeyedVectors


class LazyVectors:
    """Stands in for a KeyedVectors that is loaded on first use.

        glove                         # <glove-wiki-gigaword-50: loads on first use>
        glove.most_similar('king')    # loads, then behaves as the KeyedVectors
    """

    def __init__(self, source: str = "glove-wiki-gigaword-50", **load_args: Any) -> None:
        self.source = source
        self._load_args = load_args
        self._kv: KeyedVectors | None = None

    @property
    def loaded(self) -> bool:
        return self._kv is not None

    def load(self) -> KeyedVectors:
        if self._kv is None:
            from tlm.pretrained import load

            self._kv = load(self.source, **self._load_args)
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
        from tlm.pretrained import describe

        if self._kv is None:
            return f"<{describe(self.source)}: loads on first use>"
        return f"<{describe(self.source)}: {len(self._kv)} words x {self._kv.vector_size} dims>"
