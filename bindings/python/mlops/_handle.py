"""Lifetimes of library handles held by Python objects, and the calls in
flight on them.

Every library handle the binding keeps beyond one call (a store; the runs,
blob readers, blob writers and iterators opened from it; profiles; drift
reports) lives in a Guard. A call on the handle goes through its guard:
passing the guard itself to a function of ``_capi.C`` (the declarations
do the rest), or ``with guard as h:`` around code that must hold the
handle across several calls. The guard counts the calls in flight; its
lock is held only while counting, so the C calls themselves (which
release the GIL) still run in parallel.

``close()`` stops new calls at once (they raise ValueError), waits until
the calls other threads have in flight return, closes the handle's
children, then frees it: a handle is never freed under a call. The free
is deferred, never skipped, in two cases where waiting could not end:
the closing thread itself is inside a call on the handle (a close from a
signal handler, or a finaliser run in the middle of a call: its last call
out frees), and a store with a child not freed yet (the child's free
frees the store).

A child (run, reader, writer, iterator) holds its store open for the
length of each of its calls, and is freed before its store: no C handle
outlives the store it came from.
"""
from __future__ import annotations

import sys
import threading
from typing import Any, Callable, Dict, Optional, Set, Tuple

_get_ident = threading.get_ident


def _nothing(_h: Any) -> None:
    """The free function of a handle a C call already released."""


class Guard:
    """One library handle, the calls in flight on it and its children.

    Args:
        h: the handle (a ctypes pointer).
        free: the C function that releases it.
        what: its name in messages ("store", "run handle", ...).
        parent: the guard of the store it depends on, or None. The caller
            holds the parent (see ``open_child``).
    """

    __slots__ = ("_h", "_free", "_what", "_parent", "_chain", "_lock", "_idle", "_calls",
                 "_threads", "_closing", "_deferred", "_children", "__weakref__")

    def __init__(self, h: Any, free: Callable[[Any], None], what: str,
                 parent: Optional["Guard"] = None) -> None:
        self._h = h
        self._free = free
        self._what = what
        self._parent = parent
        # This guard and those it depends on: a call holds them all.
        self._chain: Tuple["Guard", ...] = (self,) if parent is None else (self,) + parent._chain
        # One lock for a store and its children: a call on a child counts
        # itself in both under one acquisition.
        self._lock: Any = threading.Lock() if parent is None else parent._lock
        self._idle = threading.Condition(self._lock) if parent is None else parent._idle
        self._calls = 0
        # Calls in flight by thread: close() waits for the other threads'
        # calls only (its own thread cannot return from them while waiting).
        self._threads: Dict[int, int] = {}
        self._closing = False
        self._deferred = False
        # Children not freed yet (held strongly: a child is freed before
        # its parent whatever order the garbage collector finalises them).
        self._children: Set["Guard"] = set()
        if parent is not None:
            with self._lock:
                parent._children.add(self)

    # ---- calls ----

    def _enter(self) -> Any:
        """Starts a call: returns the raw handle, or raises ValueError once
        the handle (or its store) is closed."""
        me = _get_ident()
        lock = self._lock
        lock.acquire()
        try:
            for g in self._chain:
                if g._closing:
                    raise ValueError(f"the {g._what} is closed")
            for g in self._chain:
                g._calls += 1
                t = g._threads
                t[me] = t.get(me, 0) + 1
            return self._h
        finally:
            lock.release()

    def _leave(self) -> None:
        me = _get_ident()
        wind_down = None
        lock = self._lock
        lock.acquire()
        try:
            for g in self._chain:
                g._calls -= 1
                t = g._threads
                n = t[me] - 1
                if n:
                    t[me] = n
                else:
                    del t[me]
                if g._closing:
                    if g._deferred and not g._calls:
                        g._deferred = False
                        wind_down = (wind_down or []) + [g]
                    else:
                        self._idle.notify_all()
        finally:
            lock.release()
        if wind_down:
            for g in wind_down:  # a child before its parent
                g._wind_down()

    __enter__ = _enter

    def __exit__(self, *exc: Any) -> None:
        self._leave()

    def open_child(self, opener: Callable[[Any], Any], free: Callable[[Any], None],
                   what: str) -> "Guard":
        """Runs ``opener(h)``, which opens a child handle of this one (a
        run, reader...) and returns it, and registers the child, all while
        holding this handle: a close cannot slip in between and free this
        handle before the child."""
        with self as h:
            return Guard(opener(h), free, what, self)

    # ---- closing ----

    @property
    def closed(self) -> bool:
        """True once close() (or consume()) has been called."""
        return self._closing

    def close(self) -> None:
        """Stops new calls, waits for the other threads' calls in flight,
        closes the children and frees the handle (later, if this thread is
        inside a call on it). Calling it again does nothing."""
        self._shut(None)

    def consume(self) -> None:
        """Called inside a call whose C function releases the handle itself
        (a writer's commit): as close(), but the handle is only forgotten
        when the call returns, never freed again."""
        self._shut(_nothing)

    def _shut(self, free: Optional[Callable[[Any], None]]) -> None:
        if self._closing and free is None:
            # Closed already. Checked without the lock: a finaliser run by
            # the garbage collector while this thread holds the lock of
            # the store (a closed child collected then) must not wait for it.
            return
        me = _get_ident()
        with self._lock:
            if free is not None:
                self._free = free
            if self._closing:
                return
            self._closing = True
            while self._calls - self._threads.get(me, 0):
                self._idle.wait()
            if self._calls:
                self._deferred = True
                return
        self._wind_down()

    def _wind_down(self) -> None:
        # No call is in flight and none can start: close the children,
        # then free this handle unless a child is still alive (being freed
        # by another thread: its free finishes this one).
        with self._lock:
            children = list(self._children)
        for child in children:
            child.close()
        self._free_if_done()

    def _free_if_done(self) -> None:
        with self._lock:
            if not self._closing or self._calls or self._children or self._h is None:
                return
            h, self._h = self._h, None
        self._free(h)
        p = self._parent
        if p is not None:
            with self._lock:
                p._children.discard(self)
            p._free_if_done()

    def __del__(self) -> None:
        # A safety net for guards whose owner forgot to close them.
        if sys is None or sys.is_finalizing():  # interpreter shutting down
            return
        try:
            self.close()
        except Exception:  # pragma: no cover - never raise from __del__
            pass


class Owned:
    """Base of Python objects that own one guarded library handle
    (``_guard``). ``close()`` releases it once; it also runs when the
    object is garbage-collected (a safety net: close explicitly or use
    ``with``)."""

    _guard: Optional[Guard] = None

    def close(self) -> None:
        """Releases the library handle, after the calls other threads have
        in flight on it return; calls made after it raise ValueError.
        Calling it again does nothing."""
        g = self._guard
        if g is not None:
            g.close()

    @property
    def closed(self) -> bool:
        """True once close() was called."""
        g = self._guard
        return g is None or g.closed

    def __del__(self) -> None:
        if sys is None or sys.is_finalizing():  # interpreter shutting down
            return
        try:
            self.close()
        except Exception:  # pragma: no cover - never raise from __del__
            pass
