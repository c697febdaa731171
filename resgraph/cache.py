"""Content-keyed caches: work done once for the same input, never invalidated by time.

resgraph runs inside loops (a sweep's thousands of candidates, an editor's every keystroke),
where most of the work is what was done a moment ago: the same file parsed, the same block
elaborated with the same arguments on the same shape. Each cache here is keyed by everything
its result depends on, so an entry is either exactly right or never found; nothing expires.

* :class:`Memo` — an in-process table of bounded size, least recently used out first.
* :func:`read_entry` / :func:`write_entry` — pickled entries in the user's cache folder
  (``$XDG_CACHE_HOME/resgraph``, else ``~/.cache/resgraph``), shared by processes. Pickles
  run code when read, so the folder is used only where its owner is the user and nobody else
  may write to it; every key includes :func:`code_key`, so another resgraph's entries are
  never read; an unreadable or torn entry costs only the rebuild.

``RESGRAPH_NO_CACHE=1`` turns every cache off (the results are the same, only slower).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")

#: the source files whose text decides what a cached entry holds: a change to any of them
#: (a new AST field, a grammar rule) makes every earlier entry unreachable
_CODE_FILES = ("grammar.lark", "syntax.py", "parse.py", "grammar.py", "cache.py")


def enabled() -> bool:
    """Whether caches are in use: not when ``RESGRAPH_NO_CACHE`` is set to anything but 0."""
    return os.environ.get("RESGRAPH_NO_CACHE", "0") in ("", "0")


@cache
def code_key() -> str:
    """A digest of this resgraph's code that cached entries depend on, and of Python's version
    (pickles of one version may not load in another)."""
    digest = hashlib.sha256(sys.version.encode())
    package = resources.files("resgraph")
    for name in _CODE_FILES:
        digest.update(package.joinpath(name).read_bytes())
    return digest.hexdigest()[:16]


def digest(*parts: str) -> str:
    """A short content key of ``parts`` (and of the code, :func:`code_key`)."""
    h = hashlib.sha256(code_key().encode())
    for part in parts:
        h.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:32]


class Memo(Generic[T]):
    """An in-process cache of at most ``size`` entries; safe in several threads at once.
    ``name`` says what it keeps (:func:`clear` takes it)."""

    def __init__(self, name: str, size: int) -> None:
        self.name = name
        self.size = size
        self._entries: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0
        _MEMOS.add(self)

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The entry of ``key``, made by ``make()`` when there is none (or caches are off).
        A ``make`` that raises stores nothing."""
        if not enabled():
            return make()
        found = self.peek(key)
        if found is None:
            found = make()
            self.put(key, found)
        return found

    def peek(self, key: Hashable) -> T | None:
        """The entry of ``key``, or None (none, or caches are off)."""
        if not enabled():
            return None
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            return found

    def put(self, key: Hashable, value: T) -> None:
        """Keep ``value`` as the entry of ``key`` (nothing, when caches are off)."""
        if not enabled():
            return
        with self._lock:
            self.misses += 1
            self._entries[key] = value
            self._entries.move_to_end(key)
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def bound(self, size: int) -> None:
        """Keep at most ``size`` entries from now on, the least recently used out first."""
        with self._lock:
            self.size = size
            while len(self._entries) > size:
                self._entries.popitem(last=False)

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


#: every Memo made, while it is in use
_MEMOS: weakref.WeakSet[Memo[Any]] = weakref.WeakSet()


def clear(*names: str) -> None:
    """Empty the in-process caches of these names (``parsed``, ``elaborated``, ``blocks``,
    ``analysed``, …), or every one; the cache folder's entries stay."""
    for memo in _MEMOS:
        if not names or memo.name in names:
            memo.clear()


def bound(size: int, *names: str) -> None:
    """Keep at most ``size`` entries in each in-process cache of these names. For a process
    whose inputs replace each other (an editor's versions of one document): the entries of
    earlier versions are never asked for again, and a heap full of them makes every full
    pass of the garbage collector long."""
    for memo in _MEMOS:
        if memo.name in names:
            memo.bound(size)


def memos() -> dict[str, Memo[Any]]:
    """The in-process caches by name."""
    return {memo.name: memo for memo in _MEMOS}


def folder() -> Path | None:
    """The user's cache folder, made if missing (mode 0700); None where there is none to be
    had, where it may be written by others, or where caches are off."""
    if not enabled():
        return None
    try:
        path = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "resgraph"
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        mode = path.stat()
    except (OSError, RuntimeError):  # RuntimeError: no home folder
        return None
    if mode.st_mode & 0o022 or mode.st_uid != getattr(os, "getuid", lambda: mode.st_uid)():
        return None
    return path


def read_entry(kind: str, key: str) -> Any | None:
    """The entry ``kind-key`` of the cache folder, or None (none there, torn, unreadable)."""
    where = folder()
    if where is None:
        return None
    try:
        with open(where / f"{kind}-{key}.pickle", "rb") as f:
            return pickle.load(f)
    except Exception:  # noqa: BLE001 - any failure to read an entry is only a miss
        return None


def write_entry(kind: str, key: str, value: Any) -> None:
    """Keep ``value`` as the entry ``kind-key``, written whole or not at all; a folder that
    cannot be written is only a cache that stays cold."""
    where = folder()
    if where is None:
        return
    try:
        fd, tmp = tempfile.mkstemp(dir=where, prefix=f".{kind}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, where / f"{kind}-{key}.pickle")
    except (OSError, pickle.PicklingError, RecursionError):
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError):
            pass
