"""The "Sell something" chat endpoint: the Vercel AI data stream protocol, encoded by pydantic-ai's UI
adapter (sdk v6, with tool approval requests).

The request is a standard AI SDK chat request (chat id and UI messages); only its last message is read:
a seller's message (text, maybe photos), or their answer to a draft (an approval-responded tool part,
whose input carries any fields they edited). The conversation itself stays on the server, in the
browser's session: a client cannot rewrite what the agent or the tools said.

Photos come as file parts: the site's own photo URLs (uploaded first, `web/photo_routes.py`) or data
URLs (any AI SDK client), which are checked and stored the same way. They go to the model as images,
and the conversation's photos not yet in a listing go with the next listing created.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from pydantic_ai import BinaryContent
from pydantic_ai.ui.vercel_ai import VercelAIAdapter, VercelAIEventStream
from pydantic_ai.ui.vercel_ai.request_types import (
    FileUIPart,
    TextUIPart,
    ToolApprovalResponded,
    ToolApprovalRespondedPart,
    UIMessage,
)

from agent.session import ChatSession, InputError
from tools.client import MarketplaceError
from tools.toolset import CREATE_LISTING
from tools.types import ListingCreate
from web.feedback import EDITABLE_FIELDS, Edit, FeedbackStore, cause_of, draft_edits
from web.photos import MAX_PER_LISTING, MAX_UPLOAD_BYTES, Photo, PhotoError, PhotoStore
from web.refusals import refusal
from web.security import json_only, same_origin
from web.sessions import SessionRegistry, WebSession, set_cookie
from web.wording import field_errors

logger = logging.getLogger(__name__)
MAX_REQUEST_BYTES = 16 * 1024 * 1024  # a photo as a data URL (base64: 4/3 of its size) plus the history
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
OUR_PHOTO = re.compile(r"/photos/([A-Za-z0-9_-]{8,64})(?:\.thumb)?\.jpg")
DECLINE_WORDS = frozenset({"cancel", "no", "decline", ""})


class FieldProblems(InputError):
    """Edits that cannot be posted: what to do, per field, in the seller's words."""

    def __init__(self, message: str, fields: dict[str, str]) -> None:
        super().__init__(message)
        self.fields = fields


def _error(status: int, detail: str, fields: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail, **({"fields": fields} if fields else {})}, status_code=status)


def _data_url_bytes(part: FileUIPart) -> bytes:
    """The bytes of a photo sent inline as a data URL, before any decoding work: a type we accept, not
    too big."""
    media = part.media_type.lower()
    if media not in IMAGE_TYPES:
        raise InputError(
            f"{part.filename or 'that file'} is not an image we accept ({media}); send a PNG, JPEG, GIF or WebP photo."
        )
    payload = part.url.split(",", 1)[1]
    if len(payload) * 3 // 4 > MAX_UPLOAD_BYTES:
        raise InputError(f"that photo is over {MAX_UPLOAD_BYTES // 1024 // 1024} MB; send a smaller one.")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as e:
        raise InputError("the photo could not be read (bad encoding)") from e


async def message_photos(parts: list[FileUIPart], store: PhotoStore, seller_id: str) -> list[Photo]:
    """The photos a message carries, each checked and stored (data URLs) or found among the seller's own
    (the site's photo URLs); InputError says what is wrong with one."""
    photos = []
    for part in parts:
        if part.url.startswith("data:") and "," in part.url:
            data = _data_url_bytes(part)
            try:
                photos.append(await run_in_threadpool(store.add, data, seller_id=seller_id))
            except PhotoError as e:
                raise InputError(f"{part.filename or 'That photo'}: {e}") from e
            continue
        ours = OUR_PHOTO.fullmatch(part.url)
        photo = store.get(ours.group(1)) if ours else None
        if ours is None:
            raise InputError(
                "photos must be uploaded with the photo button (or sent as data URLs), not linked"
            )
        if photo is None or photo.seller_id != seller_id or photo.listing_id is not None:
            raise InputError("that photo is no longer there (removed, or already in a listing); add it again")
        photos.append(photo)
    return photos


def _check_edited(draft: dict[str, Any]) -> None:
    """The seller's edits must make a listing the marketplace accepts; otherwise say which field and what
    to do, before anything runs, and keep the draft waiting (an invalid edit must not be dropped silently)."""
    try:
        ListingCreate.model_validate(draft)
    except ValidationError as e:
        fields = field_errors(e.errors())
        raise FieldProblems(" ".join(fields.values()), fields) from None


def _decisions(
    message: UIMessage, chat: ChatSession
) -> tuple[dict[str, bool | str], dict[str, dict[str, Any]]]:
    pending = {d.call_id: d.args for d in chat.pending}
    decisions: dict[str, bool | str] = {}
    overrides: dict[str, dict[str, Any]] = {}
    for part in message.parts:
        if not isinstance(part, ToolApprovalRespondedPart) or not isinstance(
            part.approval, ToolApprovalResponded
        ):
            continue
        if part.tool_call_id not in pending:
            raise InputError("that draft is no longer waiting for an answer; reload the page")
        if part.approval.approved:
            decisions[part.tool_call_id] = True
            edited = part.input if isinstance(part.input, dict) else {}
            fixed = [e.field for e in draft_edits(pending[part.tool_call_id], edited)]
            fixed = [f for f in fixed if f not in EDITABLE_FIELDS]
            if fixed:  # the card cannot change these: a request that does is not the seller's edit
                raise InputError(
                    f"{', '.join(fixed)} cannot be edited here; only {', '.join(EDITABLE_FIELDS)} can"
                )
            if draft_edits(pending[part.tool_call_id], edited):
                merged = {**pending[part.tool_call_id], **edited}
                _check_edited(merged)
                overrides[part.tool_call_id] = merged
        else:
            reason = (part.approval.reason or "").strip()
            decisions[part.tool_call_id] = "" if reason.lower() in DECLINE_WORDS else reason
    if not decisions:
        raise InputError("nothing to answer: send a message, or approve or cancel the draft")
    return decisions, overrides


def _first_problem(error: ValidationError) -> str:
    """The first problem with where it is in the request (`id: Field required`), the way a client developer
    reads the body: without the union's own names pydantic puts in the path (the `trigger` value the body
    was read as, the part kinds tried: `submit-message`, `TextUIPart`)."""
    first = error.errors()[0]
    path = [
        str(p)
        for i, p in enumerate(first["loc"])
        if not (isinstance(p, str) and ((i == 0 and "-" in p) or p[:1].isupper()))
    ]
    return f"{'.'.join(path)}: {first['msg']}" if path else first["msg"]


def create_chat_router(sessions: SessionRegistry, feedback: FeedbackStore, photos: PhotoStore) -> APIRouter:
    router = APIRouter()
    guarded = [Depends(same_origin), Depends(json_only)]

    @router.post("/chat", response_model=None, dependencies=guarded)
    async def chat(request: Request) -> Response:
        declared = int(request.headers.get("content-length") or 0)
        if declared > MAX_REQUEST_BYTES:
            return _error(
                413,
                f"the message is too large ({declared // 1024 // 1024} MB); photos can be at most "
                f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB",
            )
        body = await request.body()
        if len(body) > MAX_REQUEST_BYTES:
            return _error(413, "the message is too large")
        try:
            run_input = VercelAIAdapter.build_run_input(body)
        except ValidationError as e:
            return _error(422, f"not a chat request: {_first_problem(e)}")
        if not run_input.messages:
            return _error(422, "no message")
        session = await sessions.open(request)  # the first message makes the browser's session
        try:
            await sessions.seller(session)
        except MarketplaceError as e:
            logger.warning("marketplace refused a chat turn: %s", e)  # the seller gets plain words
            status, words, headers = refusal(e)
            refused = _error(status, words)
            refused.headers.update(headers)
            return _with_cookie(refused, session)
        if not await sessions.take_turn(session):
            return _error(409, "the agent is still answering your previous message")
        try:
            chat_session = await sessions.chat(session)
            events = await _start(run_input.messages[-1], session, chat_session, feedback, photos)
        except InputError as e:  # checked before any byte is streamed, so it can be a plain 400
            await sessions.end_turn(session)
            return _with_cookie(_error(400, str(e), getattr(e, "fields", None)), session)
        except BaseException:
            await sessions.end_turn(session)
            raise
        stream = VercelAIEventStream(run_input, sdk_version=6)
        replies = _run_turn(sessions, session, events)
        response = stream.streaming_response(stream.transform_stream(replies))
        response.headers["X-Trova-Conversation"] = chat_session.id
        return _with_cookie(response, session)

    @router.get("/chat/state")
    async def state(request: Request, response: Response) -> dict[str, Any]:
        """The browser's current conversation (to draw it again after a reload), as UI messages. `busy`:
        a turn is still running (the page was reloaded mid-reply); what it adds shows when it ends. A
        browser without a session gets an empty conversation, and no session."""
        response.headers["Cache-Control"] = "no-store"  # the back button must not show an old conversation
        session = await sessions.find(request)
        chat_session = None if session is None else await sessions.saved_chat(session)
        busy = session is not None and session.busy
        if chat_session is None:
            return {
                "conversation_id": None,
                "messages": [],
                "pending": [],
                "photos": [],
                "busy": busy,
                "rating": None,
            }
        rating = feedback.rating(chat_session.id)
        messages = VercelAIAdapter.dump_messages(chat_session.messages(), sdk_version=6)
        return {
            "conversation_id": chat_session.id,
            "busy": busy,
            "messages": [_with_photo_urls(m, photos) for m in messages],
            "pending": [d.model_dump() for d in chat_session.pending],
            "photos": [photo_json(p) for p in photos.pending(chat_session.id)],
            "rating": None if rating is None else "up" if rating > 0 else "down",
        }

    @router.post("/chat/new", dependencies=guarded)
    async def new(request: Request) -> dict[str, Any]:
        """Start over: a new conversation. Leaving one that had begun is a signal of its own (implicit
        feedback, tied to what produced it), recorded before the new one starts."""
        session = await sessions.find(request)
        if session is None:
            return {"conversation_id": None}  # nothing to start over from
        if session.busy:
            raise HTTPException(409, "the agent is still answering")
        try:
            await sessions.seller(session)
        except MarketplaceError as e:
            status, words, headers = refusal(e)
            raise HTTPException(status, words, headers=headers) from e
        left = await sessions.saved_chat(session)
        if left is not None and left.record.turns:
            feedback.start_over(
                left.id,
                pending_drafts=len(left.pending),
                trace_id=left.last_trace_id,
                seller_id=session.seller_id,
                cause=cause_of(left),
            )
        return {"conversation_id": (await sessions.chat(session, new=True)).id}

    return router


def _with_cookie(response: Response, session: WebSession) -> Response:
    """A session made by this request: its cookie goes with the answer, whatever the answer is (a retry
    then finds the same session, and the same seller)."""
    if session.fresh:
        set_cookie(response, session.stored.cookie)
    return response


def photo_json(photo: Photo) -> dict[str, Any]:
    return {"id": photo.id, "url": photo.url, "thumb_url": photo.thumb_url}


def _with_photo_urls(message: UIMessage, store: PhotoStore) -> dict[str, Any]:
    """A UI message as JSON, with its photos as the site's URLs rather than the images themselves (a saved
    conversation holds each photo whole, as the model got it)."""
    data = message.model_dump(mode="json", by_alias=True, exclude_none=True)
    parts = []
    for part, raw in zip(message.parts, data["parts"], strict=True):
        if isinstance(part, FileUIPart) and part.url.startswith("data:"):
            try:
                photo = store.by_content(base64.b64decode(part.url.split(",", 1)[1]))
            except (binascii.Error, ValueError, IndexError):
                photo = None
            if photo is None:
                continue  # not one of ours: never send megabytes of it back
            raw = {**raw, "url": photo.url, "thumbUrl": photo.thumb_url, "photoId": photo.id}
        parts.append(raw)
    return {**data, "parts": parts}


_DONE = object()


def _run_turn(
    sessions: SessionRegistry, session: WebSession, events: AsyncIterator[Any]
) -> AsyncIterator[Any]:
    """Run the turn in a task of its own and relay its events; the turn's lease (taken by the caller) is
    kept while it runs and given back when it ends.

    The turn must not be driven by the response: when a browser goes away (a reload, a closed tab), the
    server drops the response's iterator unfinished and the event loop closes it later in another task,
    where the turn's context managers (its span, pydantic-ai's message capture) cannot be exited, so the
    turn never ended and its lease was never given back. Here the turn always runs to its end in one
    task, whoever is listening, and the conversation is left whole (a draft it made waits after a
    reload)."""
    queue: asyncio.Queue[Any] = asyncio.Queue()

    async def run() -> None:
        try:
            async with sessions.holding(session):
                async for event in events:
                    queue.put_nowait(event)
        except Exception as e:  # handed to the reader, whose stream encodes it as an error event
            queue.put_nowait(_Failed(e))
        finally:
            sessions.note_running(session, None)
            queue.put_nowait(_DONE)

    sessions.note_running(session, asyncio.create_task(run()))

    async def relay() -> AsyncIterator[Any]:
        while (item := await queue.get()) is not _DONE:
            if isinstance(item, _Failed):
                raise item.error
            yield item

    return relay()


@dataclass
class _Failed:
    error: Exception


async def _recorded(
    events: AsyncIterator[Any],
    session: WebSession,
    chat: ChatSession,
    feedback: FeedbackStore,
    edits: dict[str, list[Edit]],
    photos: PhotoStore,
) -> AsyncIterator[Any]:
    """The turn's events; then, for each listing created, its photos are the listing's (public, and no
    longer waiting for the next one); for each draft the seller approved (by button or by typing) whose
    listing was created, the approval and the fields they edited. A draft whose creation failed is no
    approval."""
    before, trace_id = chat.last_result, chat.last_trace_id  # the draft's trace: where its fields came from
    try:
        async for event in events:
            yield event
    finally:
        result = chat.last_result
        if result is not None and result is not before:  # this turn's result (a turn cut short has none)
            for listing in result.created:
                if isinstance(listing.get("id"), int) and listing.get("photos"):
                    photos.attach([str(p) for p in listing["photos"]], listing["id"])
            for activity in result.activity:
                if activity.name == CREATE_LISTING and activity.approved and activity.outcome == "success":
                    feedback.approval(
                        chat.id,
                        edits.get(activity.call_id, []),
                        trace_id=trace_id,
                        seller_id=session.seller_id,
                        cause=cause_of(chat),
                    )
            # Declines before revisions: a decline closes the revisions of earlier turns only.
            for _ in range(result.declined):
                feedback.decline(
                    chat.id, trace_id=trace_id, seller_id=session.seller_id, cause=cause_of(chat)
                )
            for changes in result.revisions:
                feedback.revision(
                    chat.id,
                    changes,
                    trace_id=trace_id,
                    seller_id=session.seller_id,
                    cause=cause_of(chat),
                )
            for changes in result.redrafted:  # a revision's rest, once the agent drafted again
                feedback.redraft(
                    chat.id, changes, trace_id=trace_id, seller_id=session.seller_id, cause=cause_of(chat)
                )


async def _start(
    message: UIMessage,
    session: WebSession,
    chat: ChatSession,
    feedback: FeedbackStore,
    photos: PhotoStore,
) -> AsyncIterator[Any]:
    """Check the message (raising InputError) and return the turn's event stream, not yet started."""
    seller_id = session.seller_id or ""
    # The AI SDK sends a draft's answer in the assistant message that holds the tool call; a client that
    # puts it in a user message means the same answer, so it is read as one rather than as empty text.
    answers = any(isinstance(p, ToolApprovalRespondedPart) for p in message.parts)
    if message.role == "user" and not answers:
        text = " ".join(p.text for p in message.parts if isinstance(p, TextUIPart)).strip()
        files = [p for p in message.parts if isinstance(p, FileUIPart)]
        if files and not text:
            text = (
                "Here's a photo of what I'm selling."
                if len(files) == 1
                else "Here are photos of what I'm selling."
            )
        ChatSession.check_message(text)
        waiting = photos.pending(chat.id)
        if len(waiting) + len(files) > MAX_PER_LISTING:
            raise InputError(
                f"a listing can have at most {MAX_PER_LISTING} photos ({len(waiting)} already added); "
                "remove some and send again"
            )
        sent = await message_photos(files, photos, seller_id)
        photos.move([p.id for p in sent], seller_id, chat.id)
        images = [BinaryContent(data=photos.read(p), media_type="image/jpeg", identifier=p.id) for p in sent]
        chat.deps.photo_ids = [p.id for p in photos.pending(chat.id)]
        return _recorded(chat.stream(text, images=images), session, chat, feedback, {}, photos)
    elif message.role in ("assistant", "user"):
        decisions, overrides = _decisions(message, chat)
        pending = {d.call_id: d.args for d in chat.pending}
        edits = {call_id: draft_edits(pending[call_id], args) for call_id, args in overrides.items()}
        chat.deps.photo_ids = [p.id for p in photos.pending(chat.id)]
        return _recorded(
            chat.stream(decisions=decisions, overrides=overrides), session, chat, feedback, edits, photos
        )
    raise InputError("only the seller's messages and answers can be sent")
