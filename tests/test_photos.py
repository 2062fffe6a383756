"""Photos: what the store keeps of an upload (a clean, upright JPEG without the phone's GPS position),
what it refuses, and a listing's photo references in the marketplace API."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tools.listings import idempotency_key
from tools.types import ListingCreate
from web.photos import MAX_SIDE, PhotoError, PhotoStore, reencode

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def _jpeg_with_gps_and_rotation() -> bytes:
    """A landscape JPEG (wide) that its EXIF says to show turned a quarter (orientation 6), with a GPS position."""
    image = Image.new("RGB", (400, 200), "#d33")
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[GPS_IFD] = {1: "N", 2: (37.0, 46.0, 30.0), 3: "W", 4: (122.0, 25.0, 9.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_an_upload_is_kept_upright_and_without_its_location() -> None:
    original = _jpeg_with_gps_and_rotation()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the phone's position is there
    full, thumb, width, height = reencode(original)
    kept = Image.open(io.BytesIO(full))
    assert kept.format == "JPEG" and (width, height) == (200, 400) == kept.size  # turned as EXIF said
    assert not kept.getexif() and "exif" not in kept.info and "icc_profile" not in kept.info
    assert b"Exif" not in full[:4096]
    assert max(Image.open(io.BytesIO(thumb)).size) <= 480


def test_transparency_becomes_white_and_big_photos_are_scaled_down() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (5000, 100), (0, 0, 0, 0)).save(out, "PNG")
    full, _, width, height = reencode(out.getvalue())
    assert (width, height) == (MAX_SIDE, 41)
    assert Image.open(io.BytesIO(full)).getpixel((10, 10)) >= (250, 250, 250)


def _truncated() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((300, 300), 60).convert("RGB").save(out, "JPEG")
    return out.getvalue()[:2000]  # the header and the start of the scan, then nothing


_TRUNCATED = _truncated()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (_TRUNCATED, "damaged"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a photo we can read"),
        (b"\x00" * 100, "not a photo we can read"),
    ],
)
def test_what_is_not_a_photo_is_refused(data: bytes, words: str) -> None:
    with pytest.raises(PhotoError, match=words):
        reencode(data)


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")  # 400 MP in a few kilobytes
    assert len(out.getvalue()) < 200_000
    with pytest.raises(PhotoError, match="too many pixels"):
        reencode(out.getvalue())


def test_a_photo_sent_with_a_message_waits_for_that_conversation_s_next_listing(tmp_path: Path) -> None:
    store = PhotoStore(tmp_path)
    jpeg = io.BytesIO()
    Image.new("RGB", (50, 50)).save(jpeg, "JPEG")
    first = store.add(jpeg.getvalue(), seller_id="s1")
    other = store.add(jpeg.getvalue(), seller_id="s2")
    assert store.pending("c1") == []  # picked, not sent yet
    assert store.path(first.id).stat().st_mode & 0o777 == 0o600  # the seller's alone until listed
    store.move([first.id, other.id], "s1", "c1")  # another seller's photo cannot be moved in
    assert [p.id for p in store.pending("c1")] == [first.id]
    assert store.by_content(store.read(first)) is not None
    store.attach([first.id], 7)
    assert store.pending("c1") == [] and store.get(first.id).listing_id == 7  # type: ignore[union-attr]
    assert not store.remove(first.id, "s1")  # a listing shows it now
    assert store.remove(other.id, "s2") and not store.path(other.id).exists()


def _listing(**extra: object) -> dict:
    return {
        "title": "Trek road bike",
        "description": "Rides well.",
        "category_id": 1026,
        "condition": "good",
        "price": 300,
        **extra,
    }


def test_a_listing_keeps_its_photo_references_in_order(http: httpx.Client, seller_token: str) -> None:
    auth = {"Authorization": f"Bearer {seller_token}"}
    refs = ["cover-photo-0001", "side-photo-00002"]
    created = http.post("/listings", json=_listing(photos=refs), headers=auth)
    assert created.status_code == 201 and created.json()["photos"] == refs
    listing_id = created.json()["id"]
    assert http.get(f"/listings/{listing_id}").json()["photos"] == refs
    listed = http.get("/listings", params={"source": "seller"}).json()["items"]
    assert [i["photos"] for i in listed if i["id"] == listing_id] == [refs]
    plain = http.post("/listings", json=_listing(title="Trek road bike 2"), headers=auth).json()
    assert plain["photos"] == []
    for bad in (["../../etc/passwd"], ["short"], [f"photo-{i:010d}" for i in range(11)]):
        refused = http.post("/listings", json=_listing(photos=bad), headers=auth)
        assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][:2] == ["body", "photos"]


def test_a_draft_without_photos_keeps_the_idempotency_key_it_always_had() -> None:
    plain = ListingCreate.model_validate(_listing())
    canonical = (
        'c1|{"category_id": 1026, "condition": "good", "currency": "USD", "description": "Rides well.", '
        '"price": 300.0, "title": "Trek road bike"}'
    )
    assert idempotency_key("c1", plain) == "trova-" + hashlib.sha256(canonical.encode()).hexdigest()[:32]
    with_photos = ListingCreate.model_validate(_listing(photos=["cover-photo-0001"]))
    assert idempotency_key("c1", with_photos) != idempotency_key("c1", plain)
