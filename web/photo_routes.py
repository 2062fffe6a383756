"""The photo endpoints: upload (checked and re-encoded, `web/photos.py`), remove, and serve.

An upload is the photo's bytes as the request body with its image type, so another site cannot send one
from a seller's browser without the browser asking first (no form can post that), and the same-origin
check refuses it in any case."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel

from tools.client import MarketplaceError
from web.photos import MAX_UPLOAD_BYTES, Photo, PhotoError, PhotoStore, is_photo_id
from web.refusals import refusal
from web.security import same_origin
from web.sessions import SessionRegistry, set_cookie


class PhotoOut(BaseModel):
    id: str
    url: str
    thumb_url: str
    width: int
    height: int

    @classmethod
    def of(cls, photo: Photo) -> PhotoOut:
        return cls(
            id=photo.id, url=photo.url, thumb_url=photo.thumb_url, width=photo.width, height=photo.height
        )


async def _read_capped(request: Request) -> bytes:
    """The body, refused as soon as it is larger than a photo may be (not after reading it all)."""
    declared = request.headers.get("content-length")
    too_big = HTTPException(
        413, f"That photo is too large; photos can be at most {MAX_UPLOAD_BYTES // 1048576} MB."
    )
    if declared and declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
        raise too_big
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_UPLOAD_BYTES:
            raise too_big
    return bytes(body)


def create_photo_router(sessions: SessionRegistry, store: PhotoStore) -> APIRouter:
    router = APIRouter()

    @router.post("/photos", status_code=201, dependencies=[Depends(same_origin)])
    async def upload(request: Request, response: Response) -> PhotoOut:
        """A photo for the listing being drafted: shown in the chat at once, sent with the next message."""
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if not kind.startswith("image/"):
            raise HTTPException(415, "Send the photo itself as the request body, with its image type.")
        data = await _read_capped(request)
        if not data:
            raise HTTPException(400, "That photo is empty; pick it again.")
        session = await sessions.open(request)  # a photo, like a first message, makes the session
        if session.fresh:
            set_cookie(response, session.stored.cookie)
        try:
            seller_id = await sessions.seller(session)
        except MarketplaceError as e:
            status, words, headers = refusal(e)
            raise HTTPException(status, words, headers=headers) from e
        try:
            photo = await run_in_threadpool(store.add, data, seller_id=seller_id)
        except PhotoError as e:
            raise HTTPException(e.status, str(e)) from e
        return PhotoOut.of(photo)

    @router.delete("/photos/{photo_id}", dependencies=[Depends(same_origin)])
    async def remove(photo_id: str, request: Request) -> dict[str, str]:
        """Take a photo back (one not in a listing yet): it is deleted, and no listing will show it."""
        session = await sessions.find(request)
        if session is None or not session.seller_id or not store.remove(photo_id, session.seller_id):
            raise HTTPException(404, "That photo is not there any more (removed, or already in a listing).")
        return {"removed": photo_id}

    @router.get("/photos/{name}", response_model=None)
    async def serve(name: str, request: Request) -> Response:
        """A photo (`<id>.jpg`) or its thumbnail (`<id>.thumb.jpg`): public once a listing shows it,
        until then only to its seller."""
        stem, _, suffix = name.partition(".")
        thumb = suffix == "thumb.jpg"
        photo = store.get(stem) if is_photo_id(stem) and suffix in ("jpg", "thumb.jpg") else None
        if photo is not None and photo.listing_id is None:
            session = await sessions.find(request)
            if session is None or session.seller_id != photo.seller_id:
                photo = None
        if photo is None or not store.path(photo.id, thumb=thumb).is_file():
            raise HTTPException(404, "No such photo.")
        listed = photo.listing_id is not None
        return FileResponse(
            store.path(photo.id, thumb=thumb),
            media_type="image/jpeg",
            # A photo's bytes never change under its id; an unlisted one is the seller's alone.
            headers={
                "Cache-Control": "public, max-age=31536000, immutable" if listed else "private, no-cache"
            },
        )

    return router
