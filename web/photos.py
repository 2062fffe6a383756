"""Sellers' photos: checked, re-encoded, stored and served by the site.

An upload is read by Pillow, never trusted by its name or declared type: anything Pillow cannot decode as
a PNG, JPEG, GIF or WebP is refused. What is kept is a fresh JPEG (turned upright by its EXIF orientation,
at most `MAX_SIDE` pixels on its long side) with no metadata at all, so a phone's GPS position never
leaves the seller's device by way of Trova, plus a small thumbnail.

Each photo belongs to a seller, and once sent with a message, to a conversation. Until it is part of a listing only its seller can see
it; once a listing shows it, anyone can. The photos waiting in a conversation are the ones its next
listing gets (`pending`)."""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import sqlite3
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from agent.storage import data_dir

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40 MP photo is a big phone's; more is a decompression bomb, not a photo
MAX_SIDE = 2048
THUMB_SIDE = 480
JPEG_QUALITY = 85
MAX_PER_LISTING = 10  # the marketplace's limit (marketplace/schemas.py MAX_PHOTOS)
ACCEPTED_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG", "GIF": "GIF", "WEBP": "WebP"}
PHOTO_ID_BYTES = 16

SCHEMA = """
CREATE TABLE IF NOT EXISTS photos (
    id TEXT PRIMARY KEY,
    seller_id TEXT NOT NULL,
    conversation_id TEXT,
    created_at TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,         -- of the stored JPEG: how a photo is known again in a saved conversation
    listing_id INTEGER            -- set once a listing shows it: from then on it is public
);
CREATE INDEX IF NOT EXISTS photos_conversation ON photos (conversation_id, listing_id);
CREATE INDEX IF NOT EXISTS photos_sha256 ON photos (sha256);
"""


class PhotoError(ValueError):
    """An upload that is not a photo we keep; the message says so in the seller's words."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Photo:
    id: str
    seller_id: str
    conversation_id: str | None
    width: int
    height: int
    bytes: int
    listing_id: int | None = None

    @property
    def url(self) -> str:
        return photo_url(self.id)

    @property
    def thumb_url(self) -> str:
        return photo_url(self.id, thumb=True)


def photo_url(photo_id: str, *, thumb: bool = False) -> str:
    return f"/photos/{photo_id}{'.thumb' if thumb else ''}.jpg"


def _too_large(size: int) -> PhotoError:
    return PhotoError(
        f"That photo is {size / 1048576:.1f} MB; photos can be at most {MAX_UPLOAD_BYTES // 1048576} MB. "
        "Try a smaller one, or take a screenshot of it.",
        413,
    )


def reencode(data: bytes) -> tuple[bytes, bytes, int, int]:
    """The photo as a clean JPEG and its thumbnail, with its size; PhotoError if it is not a photo."""
    # Imported by the first photo, not with the site (Pillow is a start-up cost most starts never use).
    from PIL import Image, ImageOps, UnidentifiedImageError

    if len(data) > MAX_UPLOAD_BYTES:
        raise _too_large(len(data))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.load()  # decodes it: a truncated or corrupt file fails here
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        if isinstance(e, Image.DecompressionBombError | Image.DecompressionBombWarning):
            raise PhotoError("That picture is far too big (too many pixels); send an ordinary photo.") from e
        raise PhotoError("That file is not a photo we can read; send a PNG, JPEG, GIF or WebP.", 415) from e
    except (OSError, ValueError, SyntaxError) as e:
        raise PhotoError("That photo seems damaged (it could not be read to the end); try another.") from e
    if image.format not in ACCEPTED_FORMATS:
        raise PhotoError(
            f"{image.format or 'That'} files are not accepted; send a PNG, JPEG, GIF or WebP photo.", 415
        )
    if image.width * image.height > MAX_PIXELS:
        raise PhotoError("That picture is far too big (too many pixels); send an ordinary photo.")
    upright = ImageOps.exif_transpose(image)
    if upright.mode in ("RGBA", "LA", "P"):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))  # transparency becomes white, not black
        flat.paste(rgba, mask=rgba.getchannel("A"))
        upright = flat
    else:
        upright = upright.convert("RGB")
    upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    full = io.BytesIO()
    # No exif=, no icc_profile=: nothing of the original's metadata (GPS position included) is written.
    upright.save(full, "JPEG", quality=JPEG_QUALITY, optimize=True)
    thumb_image = upright.copy()
    thumb_image.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    thumb = io.BytesIO()
    thumb_image.save(thumb, "JPEG", quality=80, optimize=True)
    return full.getvalue(), thumb.getvalue(), upright.width, upright.height


def is_photo_id(value: str) -> bool:
    return 8 <= len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value) and value.isascii()


class PhotoStore:
    """Photo files under `root` (`<id>.jpg`, `<id>.thumb.jpg`) and who they belong to (`photos.db`)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or data_dir() / "photos"
        # Owner-only, like the rest of the data directory: unlisted photos are the seller's alone.
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as conn:
            conn.executescript(SCHEMA)
        (self.root / "photos.db").chmod(0o600)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.root / "photos.db", timeout=10)
        conn.row_factory = sqlite3.Row
        try:
            with self._lock, conn:
                yield conn
        finally:
            conn.close()

    def path(self, photo_id: str, *, thumb: bool = False) -> Path:
        return self.root / f"{photo_id}{'.thumb' if thumb else ''}.jpg"

    def add(self, data: bytes, *, seller_id: str, conversation_id: str | None = None) -> Photo:
        """Check and keep an upload (PhotoError when it is not a photo we keep). A photo picked but not
        yet sent belongs to no conversation: sending it `move`s it into one."""
        full, thumb, width, height = reencode(data)
        photo = Photo(
            id=secrets.token_urlsafe(PHOTO_ID_BYTES),
            seller_id=seller_id,
            conversation_id=conversation_id,
            width=width,
            height=height,
            bytes=len(full),
        )
        for path, content in ((self.path(photo.id), full), (self.path(photo.id, thumb=True), thumb)):
            tmp = path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(content)
            tmp.replace(path)
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO photos (id, seller_id, conversation_id, created_at, width, height, bytes, sha256)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    photo.id,
                    seller_id,
                    conversation_id,
                    datetime.now(UTC).isoformat(),
                    width,
                    height,
                    photo.bytes,
                    hashlib.sha256(full).hexdigest(),
                ),
            )
        return photo

    def get(self, photo_id: str) -> Photo | None:
        if not is_photo_id(photo_id):
            return None
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM photos WHERE id = ?", (photo_id,)).fetchone()
        return None if row is None else _photo(row)

    def by_content(self, data: bytes) -> Photo | None:
        """The stored photo with exactly these bytes (a photo as a saved conversation holds it)."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT * FROM photos WHERE sha256 = ?", (hashlib.sha256(data).hexdigest(),)
            ).fetchone()
        return None if row is None else _photo(row)

    def read(self, photo: Photo) -> bytes:
        return self.path(photo.id).read_bytes()

    def pending(self, conversation_id: str) -> list[Photo]:
        """The photos added in a conversation that no listing has yet, oldest first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT * FROM photos WHERE conversation_id = ? AND listing_id IS NULL ORDER BY rowid",
                (conversation_id,),
            ).fetchall()
        return [_photo(r) for r in rows]

    def move(self, photo_ids: list[str], seller_id: str, conversation_id: str) -> None:
        """The seller's photos sent with a message join that conversation, for its next listing."""
        with self._connect() as conn:
            conn.executemany(
                "UPDATE photos SET conversation_id = ? WHERE id = ? AND seller_id = ? AND listing_id IS NULL",
                [(conversation_id, i, seller_id) for i in photo_ids],
            )

    def attach(self, photo_ids: list[str], listing_id: int) -> None:
        """These photos are now a listing's: public from now on, and no longer waiting in the chat."""
        with self._connect() as conn:
            conn.executemany(
                "UPDATE photos SET listing_id = ? WHERE id = ? AND listing_id IS NULL",
                [(listing_id, i) for i in photo_ids],
            )

    def remove(self, photo_id: str, seller_id: str) -> bool:
        """Delete a seller's photo that no listing shows yet; False when there is no such photo."""
        with self._connect() as conn:
            deleted = conn.execute(
                "DELETE FROM photos WHERE id = ? AND seller_id = ? AND listing_id IS NULL",
                (photo_id, seller_id),
            ).rowcount
        if deleted:
            for thumb in (False, True):
                self.path(photo_id, thumb=thumb).unlink(missing_ok=True)
        return bool(deleted)


def _photo(row: sqlite3.Row) -> Photo:
    return Photo(
        id=row["id"],
        seller_id=row["seller_id"],
        conversation_id=row["conversation_id"],
        width=row["width"],
        height=row["height"],
        bytes=row["bytes"],
        listing_id=row["listing_id"],
    )
