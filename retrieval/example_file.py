"""The embedded store's files: examples as JSON Lines, read so that no line can stop a start-up, and
written so that a crash leaves at worst one torn last line (appends) or the old file (rewrites).

A line that does not parse as an example (a write cut short by a crash or a full disk, a hand edit)
is skipped and reported; the file is then rewritten without it, and the line kept in a `.corrupt`
file next to it, so nothing is lost and the next append does not land behind half a line.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from retrieval.examples import Example

QUOTE = 100  # characters of a bad line's error worth repeating in a log


@dataclass
class Loaded:
    examples: list[tuple[Example, int]] = field(default_factory=list)  # (example with id, line bytes)
    problems: list[str] = field(default_factory=list)  # one per skipped line, for the caller to log


def load(path: Path, *, repair: bool = True) -> Loaded:
    """The examples in `path`, skipping (and reporting) every line that is not one. With `repair`, a file
    with bad lines is rewritten without them (they go to `<name>.corrupt`)."""
    out = Loaded()
    good: list[bytes] = []
    bad: list[bytes] = []
    with path.open("rb") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                example = Example.model_validate_json(line).with_id()
            except ValidationError as exc:  # bad JSON, bad UTF-8 and bad content all land here
                torn = not line.endswith(b"\n")
                why = "torn last line (a write cut short)" if torn else _first(exc)
                out.problems.append(f"{path.name} line {number}: {why}; skipped")
                bad.append(line.rstrip(b"\n") + b"\n")
                continue
            body = line.rstrip(b"\r\n") + b"\n"
            good.append(body)
            out.examples.append((example, len(body) - 1))
    if bad and repair:
        try:
            with (path.parent / (path.name + ".corrupt")).open("ab") as f:
                f.writelines(bad)
            rewrite(path, good)
        except OSError as exc:
            out.problems.append(f"{path.name}: could not set the bad lines aside ({exc})")
    return out


def append(path: Path, lines: list[bytes]) -> None:
    """Adds lines (each ending in a newline) at the end, on disk before returning. A tail left without
    its newline (a torn write) is closed first, so the new line never joins it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as f:
        if f.seek(0, os.SEEK_END) > 0:
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                f.write(b"\n")
        f.write(b"".join(lines))
        f.flush()
        os.fsync(f.fileno())


def rewrite(path: Path, lines: list[bytes]) -> None:
    """Replaces the file whole: a temporary file, synced, renamed over it (readers see old or new)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        f.write(b"".join(lines))
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)
    _sync_dir(path.parent)


def read_ids(path: Path) -> set[str]:
    """One id a line (the deleted seed examples); a missing file is an empty set."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return set()
    return {line.strip() for line in text.splitlines() if line.strip()}


def _sync_dir(directory: Path) -> None:
    # The rename is durable only once the directory entry is; some file systems cannot sync one.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _first(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    text = f"{where}: {err['msg']}" if where else str(err["msg"])
    return f"not an example ({text[:QUOTE]})"
