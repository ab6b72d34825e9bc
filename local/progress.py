"""What the user sees while the platform prepares: one line per step with its duration, and a
live bar for the long ones (dataset generation and upload)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any


class Progress:
    def __init__(self, stream: IO[str] | None = None, enabled: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self._lock = threading.Lock()
        self._last_draw = 0.0
        self._last_line = ""

    def say(self, text: str) -> None:
        if self.enabled:
            with self._lock:
                self._clear()
                self.stream.write(text + "\n")
                self.stream.flush()

    @contextmanager
    def step(self, title: str) -> Iterator[dict[str, str]]:
        """`==> title ... done (1.2 s)`; the body may set `info["result"]` for the summary."""
        info: dict[str, str] = {}
        started = time.perf_counter()
        self.say(f"==> {title}")
        try:
            yield info
        except BaseException:
            self.say(f"    failed after {time.perf_counter() - started:.1f} s")
            raise
        result = info.get("result")
        self.say(f"    {result + ' ' if result else ''}({time.perf_counter() - started:.1f} s)")

    def callback(self, label: str) -> _Callback:
        return _Callback(self, label)

    def bar(self, label: str, done: float, total: float | None, note: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        finished = bool(total) and done >= (total or 0)
        if not finished and now - self._last_draw < (0.1 if self.tty else 2.0):
            return  # a log file gets a line every 2 s, a terminal a redraw every 100 ms
        self._last_draw = now
        if total:
            fraction = max(0.0, min(1.0, done / total))
            filled = int(fraction * 30)
            text = (
                f"    {label} [{'#' * filled}{'.' * (30 - filled)}] "
                f"{fraction * 100:5.1f}% {_num(done)}/{_num(total)} {note}"
            ).rstrip()
        else:
            text = f"    {label} {_num(done)} {note}".rstrip()
        with self._lock:
            if self.tty:
                self.stream.write("\r" + text.ljust(len(self._last_line)))
                self._last_line = text
                if finished:
                    self.stream.write("\n")
                    self._last_line = ""
            else:
                self.stream.write(text + "\n")
            self.stream.flush()

    def _clear(self) -> None:
        if self.tty and self._last_line:
            self.stream.write("\r" + " " * len(self._last_line) + "\r")
            self._last_line = ""


class _Callback:
    """A `progress=` argument that accepts the usual shapes: (done, total), (done, total, note),
    (note, done, total), a fraction, a message, or keywords done/total/message."""

    def __init__(self, progress: Progress, label: str) -> None:
        self.progress = progress
        self.label = label

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        numbers = [a for a in args if isinstance(a, (int, float)) and not isinstance(a, bool)]
        notes = [str(a) for a in args if isinstance(a, str)]
        done = kwargs.get("done", kwargs.get("current", numbers[0] if numbers else None))
        total = kwargs.get("total", numbers[1] if len(numbers) > 1 else None)
        note = str(kwargs.get("message", kwargs.get("table", kwargs.get("note", " ".join(notes)))))
        if done is None:
            if note:  # a message per step: show each one
                self.progress.say(f"    {self.label}: {note.strip()}")
            return
        if total is None and isinstance(done, float) and 0 <= done <= 1:
            done, total = done * 100, 100
        self.progress.bar(self.label, float(done), float(total) if total else None, note)


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
