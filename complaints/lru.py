"""A dict that forgets its least recently used entries: caches stay bounded as the city grows."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LruDict(OrderedDict[K, V]):
    """At most `maxsize` entries; reading or writing one makes it the most recently used."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        super().__init__()
        self.maxsize = maxsize

    def __reduce__(self) -> tuple[Any, tuple[int], None, None, Iterator[tuple[K, V]]]:
        """Copies and pickles (a calendar sent to another process) keep the bound."""
        return type(self), (self.maxsize,), None, None, iter(list(self.items()))

    def get(self, key: K, default: V | None = None) -> V | None:  # type: ignore[override]
        """The value (now the most recent) or the default; a miss changes nothing."""
        if key in self:
            self.move_to_end(key)
            return super().__getitem__(key)
        return default

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.maxsize:
            self.popitem(last=False)
