"""`--out FILE`: all or nothing. The data goes to a temporary file next to FILE, which replaces FILE only
when the whole document was written; on any failure FILE is left as it was and the temporary file goes.

The temporary file is created before any work, so a path that cannot be written (a directory, a missing
directory, no permission) is one clear line at once, not a traceback after minutes of generating.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from typing import Protocol, TextIO, TypeVar

from tools.errors import DataError

T = TypeVar("T")


class Out(Protocol):
    """Where the CLI writes a document: stdout or an OutFile."""

    def write(self, text: str, /) -> int: ...


class OutFile:
    """A text file written under a temporary name and renamed over the target by `commit`."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.path, self.temp, fd = _open_beside(target)
        self._file: TextIO | None
        if fd is not None:
            self._file = os.fdopen(fd, "w", encoding="utf-8")
        else:  # a device or pipe (/dev/null, /dev/stdout): there is nothing to replace, write to it
            self._file = _problem(target, lambda: open(self.path, "w", encoding="utf-8"))  # noqa: SIM115

    def write(self, text: str) -> int:
        assert self._file is not None
        try:
            return self._file.write(text)
        except OSError as exc:
            raise DataError(f"--out {_quote(self.target)}", f"writing failed: {exc.strerror}", FREE) from None

    def commit(self) -> None:
        """The document is complete: put it in place of the target in one step."""
        assert self._file is not None
        file, self._file = self._file, None
        try:
            file.flush()
            if self.temp is not None:
                os.fsync(file.fileno())  # on disk before the rename, or a crash could leave it empty
            file.close()
            if self.temp is not None:
                os.replace(self.temp, self.path)
                self.temp = None
        except OSError as exc:
            self.discard()
            raise DataError(f"--out {_quote(self.target)}", f"writing failed: {exc.strerror}", FREE) from None

    def discard(self) -> None:
        """Something failed: drop what was written; an existing target stays as it was."""
        if self._file is not None:
            file, self._file = self._file, None
            # The write that failed already said why; the temporary file goes below either way.
            with contextlib.suppress(OSError):
                file.close()
        if self.temp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.temp)
            self.temp = None


FREE = "free some space or pick another path"


def _quote(path: str) -> str:
    return path if len(path) <= 100 else path[:97] + "..."


def _open_beside(target: str) -> tuple[str, str | None, int | None]:
    """(the real target, the temporary file, its descriptor); (target, None, None) for a device."""
    if not target:
        raise DataError("--out", "the path is empty", "name a file, or leave --out off to write to stdout")
    where = f"--out {_quote(target)}"
    if os.path.isdir(target):
        example = _quote(os.path.join(target, "data.json"))
        raise DataError(where, "is a directory", f"name a file inside it, e.g. {example}")
    if os.path.exists(target) and not os.path.isfile(target):
        return target, None, None  # /dev/null, /dev/stdout (whose real path may be a pipe's pseudo-name)
    if os.path.exists(target) and not os.access(target, os.W_OK):
        raise DataError(where, "the file is read-only", "make it writable or pick another path")
    # Through a symlink the file it points to is replaced, and the link stays a link.
    path = os.path.realpath(target)
    parent = os.path.dirname(path) or "."
    if not os.path.exists(parent):
        raise DataError(where, f"directory {_quote(parent)} does not exist", "create it or pick another path")
    if not os.path.isdir(parent):
        raise DataError(where, f"{_quote(parent)} is not a directory", "pick a path inside a directory")
    # Short enough that a long target name still leaves room for the prefix and suffix.
    temp = os.path.join(parent, f".{os.path.basename(path)[:80]}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    fd = _problem(target, lambda: os.open(temp, flags, 0o666))  # 0o666: the umask applies, as for open()
    return path, temp, fd


def _problem(target: str, make: Callable[[], T]) -> T:
    """Run `make` (which creates a file); an OSError becomes one line naming the path and the fix."""
    try:
        return make()
    except PermissionError:
        raise DataError(
            f"--out {_quote(target)}", "permission denied", "pick a path you may write to"
        ) from None
    except OSError as exc:
        raise DataError(
            f"--out {_quote(target)}", f"cannot create the file: {exc.strerror}", "pick another path"
        ) from None
