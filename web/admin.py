"""`/admin`: the monitor's figures over time as charts (drawn by the server), the conversations behind
each point, the review queue with its verdict form and "add to eval set", and the experiments' reports.

Every admin page needs the admin token: `TROVA_ADMIN_TOKEN`, or one generated at start-up and printed
once. A browser signs in with it at /admin/login (an HttpOnly, SameSite=Strict cookie holds a keyed hash
of it, never the token); scripts send `Authorization: Bearer <token>`. Without it: 401.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sys
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from ops.counts import counted
from ops.experiment_report import ExperimentReport, experiment_report
from ops.experiments import ExperimentError, ExperimentStore, experiment_files, load_experiment
from ops.feedback import FeedbackStore, FieldEdit
from ops.monitor import Figures, Filters, Monitor, Window
from ops.monitor import format_figure as fmt
from ops.online import OnlineVerdicts
from ops.review import Review, ReviewQueue, ScenarioWriter, review_problems
from ops.review_terms import TAG_LABELS, TAGS
from ops.shown import category_id, field_label, shown_value
from ops.store import OpsStore
from settings.environment import current
from traces.store import TraceStore
from traces.views import ConversationView, ModelStep, ToolStep, load
from web.charts import Difference, Point, bar_chart, interval_chart
from web.readable import readable_json, readable_text

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.finalize = readable_text  # no control character reaches a page as itself
COOKIE = "trova_admin"
NO_CONVERSATION = "There is no conversation of that id."  # what was typed is not repeated back
# period -> (seconds, buckets in its charts)
PERIODS: dict[str, tuple[int, int]] = {
    "1h": (3600, 12),
    "24h": (86400, 24),
    "7d": (7 * 86400, 28),
    "30d": (30 * 86400, 30),
}
CHARTS: list[tuple[str, str, str]] = [  # figure, title, format
    ("conversations", "Conversations", "n"),
    ("completion_rate", "Completion rate", "%"),
    ("model_error_rate", "Model error rate", "%"),
    ("tool_error_rate", "Tool error rate", "%"),
    ("p95_turn_latency_s", "Turn latency p95", "s"),
    ("thumbs_up_rate", "Thumbs-up rate", "%"),
]
CARDS: list[tuple[str, str, str]] = [
    *CHARTS[:4],
    ("p50_turn_latency_s", "Turn latency p50", "s"),
    ("p95_turn_latency_s", "Turn latency p95", "s"),
    ("tokens_per_listing", "Tokens per listing", "n"),
    ("cost_per_listing", "Cost per listing", "$"),
    ("thumbs_up_rate", "Thumbs-up rate", "%"),
    ("edits_per_draft", "Edits per approved draft", "f"),
    ("listings_created", "Listings created", "n"),
    ("abandoned", "Drafts abandoned", "n"),
    ("start_overs", "Started over", "n"),
    ("online_pass_rate", "Online checks passed", "%"),
]


# A category's name from its id (None when the marketplace has no such category): the site asks its marketplace.
CategoryLookup = Callable[[int], Awaitable[str | None]]


def fmt_difference(value: float | None, kind: str) -> str:
    """A difference from the control, in the figure's unit (points for rates)."""
    if value is None:
        return "–"
    if kind == "%":
        return f"{value * 100:+.1f} pts"
    if kind == "s":
        return f"{value:+.2f} s"
    if kind == "$":
        return ("+" if value >= 0 else "-") + f"${abs(value):.4f}"
    if kind == "f":
        return f"{value:+.2f}"
    return f"{value:+,.0f}"


TEMPLATES.env.filters["fmt"] = fmt
TEMPLATES.env.filters["counted"] = counted
TEMPLATES.env.filters["fmt_difference"] = fmt_difference


def experiment_charts(report: ExperimentReport) -> list[dict[str, Any]]:
    """Per figure, each arm against the control (the server draws them; no script)."""
    treatments = [a for a in report.arms if not a.control]
    charts = []
    for index, metric in enumerate(report.arms[0].metrics if report.arms else []):
        rows = [
            Difference(a.name, m.difference, m.low, m.high, m.verdict)
            for a in treatments
            for m in (a.metrics[index],)
        ]
        charts.append(
            {
                "key": metric.key,
                "title": metric.label,
                "svg": interval_chart(
                    metric.label,
                    rows,
                    lambda v, kind=metric.unit: fmt_difference(v, kind),  # type: ignore[misc]
                ),
            }
        )
    return charts


TEMPLATES.env.filters["readable_json"] = readable_json


# The review form's labels (web/templates/admin/review.html), to name a field in an error.
FORM_LABELS = {
    "verdict": "Verdict",
    "tags": "Tag",
    "note": "Note",
    "category": "Right category",
    "price_min": "Acceptable price from",
    "price_max": "Acceptable price to",
    "reviewer": "Reviewer",
    "": "Acceptable price",
}


def admin_token(explicit: str | None = None) -> tuple[str, bool]:
    """The admin token: given, or TROVA_ADMIN_TOKEN, or a new random one (True: generated)."""
    configured = current().admin_token
    given = explicit or (configured.get_secret_value().strip() if configured else "")
    if given:
        return given, False
    return secrets.token_urlsafe(24), True


class SignInRequired(Exception):
    """An admin page asked for without the admin token (401: a sign-in page, or JSON for scripts)."""


class _Auth:
    def __init__(self, token: str) -> None:
        self.token = token
        self.cookie = hmac.new(token.encode(), b"trova admin session", hashlib.sha256).hexdigest()
        self.csrf = hmac.new(token.encode(), b"trova admin form", hashlib.sha256).hexdigest()

    def signed_in(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer ") and hmac.compare_digest(
            header[7:].strip().encode(), self.token.encode()
        ):
            return True
        return hmac.compare_digest(request.cookies.get(COOKIE, "").encode(), self.cookie.encode())

    def __call__(self, request: Request) -> None:
        if not self.signed_in(request):
            raise SignInRequired()

    def check_form(self, csrf: str) -> None:
        if not hmac.compare_digest(csrf.encode(), self.csrf.encode()):
            raise HTTPException(403, "this form is out of date; reload the page")


def _when(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, UTC).strftime("%d %b %H:%M")


def _transcript(view: ConversationView) -> list[dict[str, Any]]:
    """The conversation as the reviewer reads it: each turn's seller message, the tool calls with their
    arguments and results, the agent's reply and its drafts."""
    turns = []
    for turn in view.turns:
        tools = [
            {"name": s.name, "args": s.args, "result": s.result, "error": s.error}
            for s in turn.steps
            if isinstance(s, ToolStep)
        ]
        requests = sum(1 for s in turn.steps if isinstance(s, ModelStep))
        turns.append(
            {
                "number": turn.number,
                "seller": turn.seller,
                "agent": turn.agent,
                "tools": tools,
                "drafts": turn.drafts,
                "created": turn.created,
                "outcome": turn.outcome,
                "stopped": turn.stopped,
                "requests": requests,
                "approvals": turn.approvals,
            }
        )
    return turns


@dataclass(frozen=True)
class ShownEdit:
    """A field the seller changed, as the review page shows it (ops.shown: money, a category's name)."""

    how: str
    field: str
    old: str
    new: str


async def shown_edits(edits: Iterable[FieldEdit], category_name: CategoryLookup | None) -> list[ShownEdit]:
    """The seller's changes as a person reads them, each category named once (looked up by the caller)."""
    edits = list(edits)
    wanted = {
        ident
        for e in edits
        if e.field == "category_id"
        for ident in (category_id(e.old), category_id(e.new))
        if ident is not None
    }
    names = {ident: await category_name(ident) for ident in sorted(wanted)} if category_name else {}
    return [
        ShownEdit(
            e.how,
            field_label(e.field),
            shown_value(e.field, e.old, names.get),
            shown_value(e.field, e.new, names.get),
        )
        for e in edits
    ]


def install_admin(
    site: FastAPI,
    store: OpsStore,
    token: str | None = None,
    scenario_writer: ScenarioWriter | None = None,
    category_name: CategoryLookup | None = None,
) -> None:
    """Add the admin pages to `site`."""
    site.include_router(create_admin_router(store, token, scenario_writer, category_name))

    @site.exception_handler(SignInRequired)
    async def sign_in(request: Request, exc: SignInRequired) -> Response:
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return TEMPLATES.TemplateResponse(
                request, "admin/login.html", {"next": target, "error": None}, status_code=401
            )
        return JSONResponse(
            {"detail": "the admin pages need the admin token"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )


def create_admin_router(
    store: OpsStore,
    token: str | None = None,
    scenario_writer: ScenarioWriter | None = None,
    category_name: CategoryLookup | None = None,
) -> APIRouter:
    value, generated = admin_token(token)
    if generated:
        print(
            f"Admin pages at /admin; admin token (generated, shown once; set TROVA_ADMIN_TOKEN to choose "
            f"one): {value}",
            file=sys.stderr,
            flush=True,
        )
    auth = _Auth(value)
    monitor = Monitor(store)
    queue = ReviewQueue(store, current().review_random_share)
    feedback = FeedbackStore(store.path)  # what sellers said, read beside each review
    router = APIRouter(prefix="/admin")
    guarded = APIRouter(prefix="/admin", dependencies=[Depends(auth)])

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(
            request, f"admin/{name}", {"csrf": auth.csrf, **context}, status_code=status
        )

    @router.get("/login", response_class=HTMLResponse)
    async def login_form(request: Request, next: str = "/admin") -> HTMLResponse:
        return page(request, "login.html", next=next if next.startswith("/admin") else "/admin")

    @router.post("/login", response_model=None)
    async def login(
        request: Request, token: Annotated[str, Form(max_length=500)], next: Annotated[str, Form()] = "/admin"
    ) -> Response:
        if not hmac.compare_digest(token.strip().encode(), value.encode()):
            return page(request, "login.html", 401, next=next, error="That is not the admin token.")
        target = next if next.startswith("/admin") and not next.startswith("//") else "/admin"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            COOKIE, auth.cookie, httponly=True, samesite="strict", path="/admin", max_age=12 * 3600
        )
        return response

    @guarded.post("/logout")
    async def logout(csrf: Annotated[str, Form()]) -> RedirectResponse:
        auth.check_form(csrf)
        response = RedirectResponse("/admin/login", status_code=303)
        response.delete_cookie(COOKIE, path="/admin")
        return response

    def filters_of(model: str | None, prompt: str | None) -> Filters:
        return Filters(model=model or None, prompt=prompt or None)

    @guarded.get("", response_class=HTMLResponse)
    async def dashboard(
        request: Request,
        period: Annotated[str, Query(pattern="^(1h|24h|7d|30d)$")] = "24h",
        model: str | None = None,
        prompt: str | None = None,
    ) -> HTMLResponse:
        seconds, buckets = PERIODS[period]
        filters = filters_of(model, prompt)
        window = Window.last(seconds)
        current = monitor.figures(window, filters).get("all", Figures())
        previous = monitor.figures(window.before(), filters).get("all", Figures())
        timeline = monitor.timeline(window, buckets, filters)
        base = {k: v for k, v in (("model", filters.model), ("prompt", filters.prompt)) if v}

        def href(part: Window) -> str:
            return "/admin/conversations?" + urlencode({**base, "start": part.start_ns, "end": part.end_ns})

        charts = [
            {
                "name": name,
                "title": title,
                "svg": bar_chart(
                    title,
                    [
                        Point(_when(part.start_ns), getattr(figures, name), href(part))
                        for part, figures in timeline
                    ],
                    lambda v, kind=kind: fmt(v, kind),  # type: ignore[misc]
                ),
            }
            for name, title, kind in CHARTS
        ]
        cards = [
            {
                "name": name,
                "title": title,
                "now": fmt(getattr(current, name), kind),
                "before": fmt(getattr(previous, name), kind),
            }
            for name, title, kind in CARDS
        ]
        choices = monitor.choices()
        # A filter naming nothing the store has (a typo, an old link) shows zeros: say why.
        unknown = [
            f"No turns of {kind} {value!r} in the store; its {kind}s: {', '.join(choices[kind]) or 'none yet'}."
            for kind, value in (("model", filters.model), ("prompt", filters.prompt))
            if value and value not in choices[kind]
        ]
        return page(
            request,
            "dashboard.html",
            period=period,
            periods=list(PERIODS),
            model=filters.model,
            prompt=filters.prompt,
            choices=choices,
            unknown=unknown,
            cards=cards,
            charts=charts,
            current=current,
            window_href=href(window),
        )

    @guarded.get("/conversations", response_class=HTMLResponse)
    async def conversations(
        request: Request,
        start: Annotated[int | None, Query(ge=0, le=2**62)] = None,
        end: Annotated[int | None, Query(ge=0, le=2**62)] = None,
        model: str | None = None,
        prompt: str | None = None,
    ) -> HTMLResponse:
        # A chart's bar names its period; the page opened by hand (no period) shows the last day's.
        window = Window.last(86400) if start is None and end is None else None
        if window is None:
            if start is None or end is None:
                raise HTTPException(422, "give the period's start and end (?start=...&end=...) or neither")
            if end <= start:
                raise HTTPException(422, "the period's end must come after its start")
            window = Window(start, end)
        start, end = window.start_ns, window.end_ns
        rows = monitor.conversations(window, filters_of(model, prompt))
        return page(
            request,
            "conversations.html",
            rows=rows,
            when=_when,
            start=_when(start),
            end=_when(end),
            model=model,
            prompt=prompt,
        )

    @guarded.get("/review", response_class=HTMLResponse)
    async def review_queue(request: Request, show: str = "pending") -> HTMLResponse:
        added = queue.sample(Window.last(30 * 86400))
        items = queue.items(pending=show != "all")
        return page(request, "review_queue.html", items=items, added=added, show=show, when=_when)

    def conversation_view(conversation_id: str) -> ConversationView:
        try:
            view = load(TraceStore(store.path), conversation_id)
        except LookupError as e:
            raise HTTPException(404, NO_CONVERSATION) from e
        if view.id != conversation_id:  # prefixes are for the terminal; a page names one exactly
            raise HTTPException(404, NO_CONVERSATION)
        return view

    async def review_page(
        request: Request, view: ConversationView, status: int = 200, **extra: Any
    ) -> HTMLResponse:
        said = feedback.of(view.id)
        return page(
            request,
            "review.html",
            status,
            view=view,
            turns=_transcript(view),
            reviews=queue.reviews(view.id),
            queued=queue.queued(view.id),
            checks=OnlineVerdicts(store).of(view.id),
            said=said,
            edits=await shown_edits(said.edits, category_name),
            tags=[(t, TAG_LABELS[t]) for t in TAGS],
            can_capture=scenario_writer is not None,
            **extra,
        )

    @guarded.get("/review/{conversation_id}", response_class=HTMLResponse)
    async def review_form(request: Request, conversation_id: str) -> HTMLResponse:
        return await review_page(request, conversation_view(conversation_id))

    @guarded.post("/review/{conversation_id}", response_class=HTMLResponse)
    async def review_save(
        request: Request,
        conversation_id: str,
        csrf: Annotated[str, Form()],
        verdict: Annotated[str, Form()],
        tags: Annotated[list[str] | None, Form()] = None,
        note: Annotated[str | None, Form(max_length=4000)] = None,
        category: Annotated[str | None, Form(max_length=200)] = None,
        price_min: Annotated[str | None, Form(max_length=30)] = None,
        price_max: Annotated[str | None, Form(max_length=30)] = None,
        reviewer: Annotated[str | None, Form(max_length=100)] = None,
        action: Annotated[str, Form()] = "save",
    ) -> HTMLResponse:
        auth.check_form(csrf)
        view = conversation_view(conversation_id)
        try:
            review = Review.model_validate(
                {
                    "verdict": verdict,
                    "tags": tags or [],
                    "note": note,
                    "category": category,
                    "price_min": (price_min or "").strip() or None,
                    "price_max": (price_max or "").strip() or None,
                    "reviewer": (reviewer or "").strip() or "reviewer",
                }
            )
        except ValidationError as e:
            return await review_page(request, view, 422, error=review_problems(e, FORM_LABELS))
        # A correction no scenario could expect is refused before anything is kept, as `trova review` does.
        unknown = (
            scenario_writer.unknown_category(review.category)
            if scenario_writer is not None and review.category
            else None
        )
        if unknown is not None:
            return await review_page(request, view, 422, error=f"{FORM_LABELS['category']}: {unknown}")
        stored = queue.record(conversation_id, review)
        message, scenario = f"Review #{stored.id} saved ({stored.verdict}).", None
        if action == "add":
            if scenario_writer is None:
                return await review_page(
                    request,
                    view,
                    409,
                    error=f"Review #{stored.id} saved, but this site was started without eval capture: "
                    f"run trova review record {conversation_id} --verdict {stored.verdict} --add-to-evals",
                )
            try:
                path = scenario_writer(conversation_id, review)
            except (LookupError, ValueError, OSError) as e:
                return await review_page(
                    request, view, 500, error=f"Review #{stored.id} saved, but no scenario was written: {e}"
                )
            queue.set_scenario(stored.id, path)
            scenario = str(path)
            message += " Scenario written."
        return await review_page(request, view, message=message, scenario=scenario)

    experiments = ExperimentStore(store)

    @guarded.get("/experiments", response_class=HTMLResponse)
    async def experiments_list(request: Request) -> HTMLResponse:
        names = sorted(set(experiments.names()) | {p.stem for p in experiment_files()})
        listed = [{"name": n, "state": experiments.state(n)} for n in names]
        return page(request, "experiments.html", experiments=listed, report=None)

    @guarded.get("/experiments/{name}", response_class=HTMLResponse)
    async def experiment_page(request: Request, name: str) -> HTMLResponse:
        try:
            experiment = experiments.definition(name) or load_experiment(name)
        except ExperimentError as e:
            raise HTTPException(404, "There is no experiment of that name.") from e
        report = experiment_report(store, experiment)
        return page(
            request, "experiments.html", experiments=None, report=report, charts=experiment_charts(report)
        )

    both = APIRouter()
    both.include_router(router)
    both.include_router(guarded)
    return both
