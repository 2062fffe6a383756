"""The category search index kept on disk between processes, so that a start-up reads it (about 0.1 s)
instead of building it from the taxonomy and the seed titles (about 1 s).

The file is a cache and nothing more: its name carries a hash of everything the index is built from (the
seed's fingerprint, the marketplace's code and its rule and data files, the Python version), so a change to
any of them is a new name and a rebuild, never a stale index; a file that cannot be read is rebuilt over.
It lives in the data directory (`$TROVA_HOME/cache/`), owner-only, like the database beside it: a pickle is
only ever read from there.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import logging
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

from marketplace import config
from marketplace.cache import BoundedCache
from marketplace.category_search import CategoryIndex

PACKAGE = Path(__file__).resolve().parent
PREFIX = "category-index-"
logger = logging.getLogger(__name__)


def _sources(package: Path) -> list[Path]:
    """What the index is built by and from, besides the seed: the marketplace's modules and its rule and
    data files."""
    found = sorted(package.glob("*.py"))
    for folder in ("rules", "data"):
        found += sorted(p for p in (package / folder).rglob("*") if p.is_file())
    return found


def cache_key(seed_fingerprint: str, package: Path = PACKAGE) -> str:
    digest = hashlib.sha256(f"{seed_fingerprint}\0{sys.version}\0".encode())
    for path in _sources(package):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


@functools.cache
def _key_for_this_process(seed_fingerprint: str) -> str:
    # Once per process: the code it runs is the code it loaded, whatever the files say later.
    return cache_key(seed_fingerprint)


def cache_path(seed_fingerprint: str) -> Path:
    return config.data_dir() / "cache" / f"{PREFIX}{_key_for_this_process(seed_fingerprint)}.pickle"


class _IndexPickler(pickle.Pickler):
    """The index's caches are written empty (their size functions may be closures, and their contents are
    of one process)."""

    def reducer_override(self, obj: object) -> Any:  # a reduction, or NotImplemented for pickle's own
        if isinstance(obj, BoundedCache):
            return BoundedCache, (obj.max_bytes,)
        return NotImplemented


def load(seed_fingerprint: str) -> CategoryIndex | None:
    """The index saved for this seed and code, or None (none saved, or not readable: it is rebuilt)."""
    path = cache_path(seed_fingerprint)
    try:
        with path.open("rb") as f:
            index = pickle.load(f)
    except FileNotFoundError:
        return None
    except Exception as e:  # a truncated or foreign file: built again and written over
        logger.warning("category index cache %s unreadable (%s): rebuilding it", path, e)
        return None
    return index if isinstance(index, CategoryIndex) else None


def save(seed_fingerprint: str, index: CategoryIndex) -> Path | None:
    """Write the index for the next start (atomically, owner-only), and remove the files of other seeds or
    code. A failure (a read-only data directory) only costs the next start its speed."""
    path = cache_path(seed_fingerprint)
    buffer = io.BytesIO()
    _IndexPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(index)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # mode 600
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(buffer.getvalue())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        for other in path.parent.glob(f"{PREFIX}*.pickle"):
            if other != path:
                with contextlib.suppress(OSError):
                    other.unlink()
    except OSError as e:
        logger.warning("category index cache not written to %s: %s", path, e)
        return None
    return path
