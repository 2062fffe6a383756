"""The `trova` command.

Every heavy import (the agent, logfire, the marketplace) happens inside the command that needs it, and the
`eval` and `traces` groups are loaded only when one of them runs, so `trova --help` stays quick."""

from __future__ import annotations

import importlib
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from cli.collector import paused_while_starting  # light: gc only
from cli.online import DEFAULT_RATE, RateOpt, online_capabilities  # light: typer only
from cli.urls import http_url  # light: typer only

if TYPE_CHECKING:
    from fastapi import FastAPI
    from rich.console import Console

    from agent.models import ModelChoice


def stdout() -> Console:
    from cli.output import stdout as console  # rich, imported once a command prints

    return console()


def stderr() -> Console:
    from cli.output import stderr as console

    return console()


def fail(message: str, code: int = 2) -> typer.Exit:
    from cli.output import fail as failed  # rich, imported once a command fails

    return failed(message, code)


def _check_settings() -> None:
    """Every environment setting, checked before a command starts anything: a bad one stops it here with
    one line naming it (exit 2), not later halfway through or silently replaced by its default."""
    from settings.environment import current
    from settings.errors import SettingError

    try:
        current()
    except SettingError as e:
        raise fail(str(e)) from e


def _cannot_use(url: str, error: Exception) -> typer.Exit:
    """A database the command cannot use: exit 2 for a URL that is wrong as written (a bad setting), 1 for
    one that failed (a server down, a file it cannot open)."""
    from sqlalchemy.exc import ArgumentError

    from marketplace import config

    return fail(
        f"cannot use the database {config.redact_url(url)}: {error}",
        2 if isinstance(error, ArgumentError) else 1,
    )


class _LazyGroup(TyperGroup):
    """A sub-command group listed with its help text and imported on first use (`cli.evals` and
    `cli.traces` import logfire, most of a bare start-up's time)."""

    def __init__(self, name: str, target: str, help: str) -> None:
        super().__init__(name=name, help=help, short_help=help)
        self._target = target
        self._real: Any = None

    def real(self) -> Any:
        if self._real is None:
            module, attribute = self._target.split(":")
            found = getattr(importlib.import_module(module), attribute)
            group = found if isinstance(found, typer.Typer) else found()  # a function that assembles it
            self._real = typer.main.get_command(group)
            self._real.name = self.name
        return self._real

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        return self.real().make_context(info_name, args, parent=parent, **extra)

    # Walking the tree (shell completion, a check of a workflow's commands) sees the real sub-commands.
    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        return self.real().get_command(ctx, cmd_name)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.real().list_commands(ctx))


def _eval_app() -> typer.Typer:
    """The eval commands, with `heldout` (the held-out benchmark) among them."""
    from cli.evals import eval_app
    from cli.heldout import heldout

    if not any(c.name == "heldout" for c in eval_app.registered_commands):
        eval_app.command("heldout")(heldout)
    return eval_app


_LAZY = {
    "eval": (
        "cli.main:_eval_app",
        "Scenario evals: the right tools, in the right order, with the right arguments.",
    ),
    "traces": (
        "cli.traces:traces_app",
        "Traces of every conversation and eval run, from the local trace store.",
    ),
    "monitor": (
        "cli.monitor:monitor_app",
        "Production figures (volume, completion, errors, latency, tokens and cost, feedback, reviews) "
        "from the local store, and alert rules.",
    ),
    "review": (
        "cli.review:review_app",
        "Review doubtful conversations: the queue, verdicts and failure tags, reviewed failures into "
        "the eval set, agreement with the automatic checks.",
    ),
    "feedback": (
        "cli.feedback:feedback_app",
        "Sellers' feedback (site and CLI): ratings, draft edits, start-overs; `add` rates a conversation.",
    ),
    "prompts": (
        "cli.prompts:prompts_app",
        "Prompt versions (every one evaluated, chatted with or served is kept) and their labels.",
    ),
    "experiment": (
        "cli.experiment:experiment_app",
        "Online A/B experiments: files in experiments/, served by trova serve --experiment NAME.",
    ),
}


class _TrovaGroup(TyperGroup):
    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in _LAZY if n not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in _LAZY and cmd_name not in self.commands:
            target, text = _LAZY[cmd_name]
            self.commands[cmd_name] = _LazyGroup(cmd_name, target, text)
        return super().get_command(ctx, cmd_name)


app = typer.Typer(
    name="trova",
    help="Trova listing agent: chat with the agent, run the marketplace, build its data.",
    no_args_is_help=True,
    # Plain help: typer's rich help imports a Markdown renderer, longer than the rest of `trova --help`.
    rich_markup_mode=None,
    cls=_TrovaGroup,
)
data_app = typer.Typer(
    help="Build the marketplace's seed data from the source files, or a large synthetic marketplace.",
    no_args_is_help=True,
)
app.add_typer(data_app, name="data")


ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="offline, openai:<name>, openai-chat:<name> (with --base-url), or any pydantic-ai "
        "model string. Default: $TROVA_MODEL, else openai:gpt-4o-mini when OPENAI_API_KEY is set, else offline.",
    ),
]
BaseUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        envvar="TROVA_BASE_URL",
        help="Base URL of an OpenAI-compatible server (vLLM, llama.cpp, Ollama, trova model-server).",
        callback=http_url,
    ),
]


PromptRefOpt = Annotated[
    str,
    typer.Option(
        "--prompt",
        help="The prompt: NAME (the file under agent/prompts/ as it is now), NAME@VERSION, NAME@LABEL or "
        "LABEL (trova prompts list shows them).",
    ),
]
RecordOpt = Annotated[
    Path | None,
    typer.Option(
        "--record",
        help="Record every model request and response to this folder (plain files, secrets redacted).",
    ),
]
ReplayOpt = Annotated[
    Path | None,
    typer.Option(
        "--replay",
        help="Answer from recordings in this folder instead of calling the model (no key needed); a request "
        "not recorded is an error, never a live call.",
    ),
]


class ListingSource(StrEnum):
    seller = "seller"
    seed = "seed"


MarketOpt = Annotated[
    str | None,
    typer.Option(
        "--marketplace-url",
        envvar="TROVA_MARKETPLACE_URL",
        help="A running marketplace's API (trova serve's is http://127.0.0.1:8000/api). Default: the embedded "
        "one on the local SQLite database.",
        callback=http_url,
    ),
]


@app.command()
@paused_while_starting  # until its agent is made (cli/chat.py settles it): start-up's objects all live on
def chat(
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    marketplace_url: MarketOpt = None,
    resume: Annotated[
        str | None, typer.Option("--resume", help="Continue a saved conversation by its id.")
    ] = None,
    prompt: PromptRefOpt = "listing_agent",
    variant: Annotated[
        str | None,
        typer.Option(
            "--variant",
            help="Model, prompt and settings in one: MODEL[,prompt=NAME@VERSION|LABEL][,temperature=..]"
            "[,max_tokens=..] (instead of --model and --prompt).",
        ),
    ] = None,
    record: RecordOpt = None,
    replay: ReplayOpt = None,
    online_eval_rate: RateOpt = DEFAULT_RATE,
) -> None:
    """Talk to the listing agent. Reads piped stdin too: printf 'I want to sell my bike\\ngood\\nyes\\n' | trova chat"""
    from agent.models import ModelConfigError
    from agent.prompts import PromptRefError, load_prompt, remember
    from agent.replay import RecordingError, ReplayMiss
    from agent.session import InputError
    from agent.variants import VariantSpecError, parse_variant_spec
    from cli.chat import run_chat
    from cli.connection import MarketplaceStartError
    from cli.replay_options import choose_model, finish_recording_notice
    from tools.client import MarketplaceError

    _check_settings()
    if resume is not None and not resume.strip():
        raise fail("--resume needs a conversation id (they are listed by: trova traces list --kind chat)")
    settings = None
    try:
        if variant is not None:
            if model is not None or prompt != "listing_agent":
                raise fail("--variant names the model and the prompt: leave out --model and --prompt")
            spec = parse_variant_spec(variant)
            model, prompt, settings = spec.model, spec.prompt or prompt, spec.model_settings()
        given_by = "--variant" if variant is not None else "--model"
        choice, recorder = choose_model(model, base_url, record, replay, given_by)
        prompt_obj = load_prompt(prompt)
    except (ModelConfigError, FileNotFoundError, PromptRefError, VariantSpecError, RecordingError) as e:
        raise fail(str(e)) from e
    remember(prompt_obj, "chat")
    from traces.setup import configure_tracing, flush

    configure_tracing("chat")
    from cli.replay_market import chat_connection

    try:
        connection = chat_connection(marketplace_url, record, replay)
    except MarketplaceStartError as e:
        raise fail(str(e), 1) from e
    except RecordingError as e:
        raise fail(str(e)) from e
    import asyncio

    from cli.output import BROKEN_PIPE_EXIT, conversation_stdout

    console = conversation_stdout()
    try:
        code = asyncio.run(
            run_chat(
                console,
                choice,
                prompt_obj,
                connection,
                resume,
                model_settings=settings,
                capabilities=online_capabilities(online_eval_rate),
            )
        )
    except InputError as e:
        raise fail(str(e)) from e
    except ReplayMiss as e:
        raise fail(str(e)) from e
    except (MarketplaceError, MarketplaceStartError) as e:
        raise fail(str(e), 1) from e
    finally:
        flush()
        if recorder is not None:
            stdout().print(finish_recording_notice(recorder))
    # The conversation ended as usual (saved, its feedback recorded); a shell reports the reader's leaving so.
    raise typer.Exit(BROKEN_PIPE_EXIT if console.reader_left else code)


@app.command()
def listings(
    marketplace_url: MarketOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="How many, newest first.")] = 20,
    mine: Annotated[bool, typer.Option("--mine", help="Only listings you created.")] = False,
    source: Annotated[
        ListingSource | None, typer.Option(help="seller (created through Trova) or seed.")
    ] = None,
    query: Annotated[str | None, typer.Option("--query", "-q", help="Words in the title.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List what is in the marketplace, newest first."""
    _check_settings()
    from cli.connection import MarketplaceStartError, connect
    from cli.render import listings_table
    from tools.client import MarketplaceError

    connection = connect(marketplace_url)

    async def fetch() -> dict[str, Any]:
        async with connection.client as client:
            seller_id = await connection.whoami(register=False) if mine else None
            if mine and seller_id is None:
                raise fail(
                    "you have not created anything on this marketplace yet (no seller credentials).", 1
                )
            page = await client.list_listings(
                limit=limit, seller_id=seller_id, source=source.value if source else None, q=query
            )
            return page.model_dump(mode="json")

    import asyncio

    try:
        page = asyncio.run(fetch())
    except MarketplaceError as e:
        raise fail(f"{connection.explained(e)}", 1) from e
    except MarketplaceStartError as e:
        raise fail(f"{e}", 1) from e
    if as_json:
        print(json.dumps(page, indent=2))
        return
    from ops.counts import counted

    if not page["items"]:  # an empty table reads like a broken command: say what was asked and found
        asked = [
            *([f"matching {query!r}"] if query else []),
            *([f"from {source.value}"] if source else []),
            *(["of yours"] if mine else []),
        ]
        from rich.markup import escape

        stdout().print(
            f"[yellow]No listings {escape(' '.join(asked))}.[/yellow] [dim](marketplace: {escape(connection.label)})[/dim]"
            if asked
            else f"[yellow]No listings yet.[/yellow] [dim](marketplace: {escape(connection.label)})[/dim]",
            soft_wrap=True,
        )
        return
    listings_table(page["items"], stdout())
    stdout().print(
        f"[dim]{len(page['items'])} of {counted(page['total'], 'listing')} · {connection.label}[/dim]"
    )


@app.command()
@paused_while_starting  # until its agent is made (settled below): start-up's objects all live on
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    database_url: Annotated[
        str | None,
        typer.Option(envvar="DATABASE_URL", help="SQLAlchemy URL. Default: SQLite in the data directory."),
    ] = None,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    prompt: Annotated[
        str | None,
        typer.Option(
            "--prompt",
            help="The prompt to serve: NAME, NAME@VERSION, NAME@LABEL or LABEL. Default: the `production` "
            "label of listing_agent (agent/prompts/labels.yaml), else the file as it is.",
        ),
    ] = None,
    variant: Annotated[
        str | None,
        typer.Option(
            "--variant",
            help="Model, prompt and settings in one: MODEL[,prompt=NAME@VERSION|LABEL][,setting=value...] "
            "(instead of --model and --prompt; the prompt defaults to the production label), e.g. the arm "
            "trova experiment promote names.",
        ),
    ] = None,
    online_eval_rate: RateOpt = DEFAULT_RATE,
    experiment: Annotated[
        str | None,
        typer.Option(
            "--experiment",
            help="Serve an A/B experiment (experiments/NAME.yaml): each seller gets an arm, sticky; "
            "see trova experiment report NAME.",
        ),
    ] = None,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            envvar="FORWARDED_ALLOW_IPS",
            help="Reverse proxies whose X-Forwarded-For is trusted (comma-separated addresses or '*'): the "
            "seller's own address then counts for rate limits, not the proxy's.",
        ),
    ] = "127.0.0.1",
) -> None:
    """Run the site: listings pages and the "Sell something" chat at /, the marketplace API at /api
    (OpenAPI docs at /api/docs). /api (and /api/health) answers as soon as the marketplace is up; the agent
    is made beside it, and /ready answers 200 once it is (a chat message sent before waits for it)."""
    import os

    from cli import collector

    # logfire's pydantic plugin (for logfire.instrument_pydantic, which Trova does not use) would import
    # most of logfire with the first pydantic model, before the marketplace can answer; tracing itself is
    # set up with the agent, as before.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "logfire-plugin")
    import uvicorn
    from rich.markup import escape
    from sqlalchemy.exc import SQLAlchemyError

    from agent.prompts import PromptRefError, remember, served_prompt
    from agent.variants import VariantSpecError, parse_variant_spec
    from marketplace import config
    from marketplace.app import create_app
    from settings.environment import parse_forwarded_ips
    from web.startup import DeferredSite

    _check_settings()
    try:
        parse_forwarded_ips(forwarded_allow_ips)
    except ValueError as e:
        raise fail(f"--forwarded-allow-ips (FORWARDED_ALLOW_IPS)={forwarded_allow_ips!r}: {e}") from e
    settings = None
    try:
        if variant is not None:
            if model is not None or prompt is not None:
                raise fail("--variant names the model and the prompt: leave out --model and --prompt")
            spec = parse_variant_spec(variant)
            model, prompt, settings = spec.model, spec.prompt, spec.model_settings()
        # The default model (offline: nothing to check) is made with the agent, beside the marketplace;
        # a model named is made here, so that a wrong one stops the command before it listens.
        choice = None if _default_model(model) else _resolve_model(model, base_url)
        prompt_obj, prompt_notice = served_prompt(prompt)
    except (FileNotFoundError, PromptRefError, VariantSpecError) as e:
        raise fail(str(e)) from e
    remember(prompt_obj, "serve")
    live, capabilities = None, None
    if experiment:  # its arms' agents are made here: a wrong arm stops the command before it listens
        from cli.experiment import live_experiment

        capabilities = online_capabilities(online_eval_rate)
        live = live_experiment(experiment, base_url, capabilities)
    from cli.listen import ListenError, listening_socket

    try:  # before the database is opened: a port in use is said at once, not after start-up's output
        sock = listening_socket(host, port)
    except ListenError as e:
        raise fail(str(e), e.code) from e
    url = database_url or config.database_url()
    try:
        api = create_app(url)
    except ModuleNotFoundError as e:  # a database driver that is an extra
        hint = " (PostgreSQL: uv run --extra postgres trova serve ...)" if "psycopg" in str(e) else ""
        raise fail(f"the database driver is not installed: {e}{hint}", 1) from e
    except SQLAlchemyError as e:
        raise _cannot_use(url, e) from e
    shown = f" Settings: {', '.join(f'{k}={v}' for k, v in settings.items())}." if settings else ""
    stdout().print(f"[dim]{escape(f'{prompt_notice}{shown} Database: {config.redact_url(url)}')}[/dim]")
    stdout().print(f"Open http://{host}:{port}/ (API: http://{host}:{port}/api, docs: /api/docs)")

    def build_site() -> FastAPI:
        """The agent's side of the site, in a thread while the marketplace already answers: tracing is set
        up before the agent exists, so every conversation is traced."""
        from agent.models import resolve_model
        from cli.review import scenario_writer
        from traces.setup import configure_tracing
        from web.site import create_site

        chosen = choice or resolve_model(model, base_url)
        configure_tracing("site")
        site = create_site(
            api,
            chosen,
            prompt_obj,
            model_settings=settings,
            scenario_writer=scenario_writer(),
            sessions_url=url,  # the marketplace's database: another trova serve continues the conversations
            capabilities=online_capabilities(online_eval_rate) if capabilities is None else capabilities,
            experiment=live,
        )
        online = (
            f" Online checks judge {online_eval_rate:.0%} of conversations (trova monitor)."
            if (online_eval_rate > 0)
            else ""
        )
        if not server.should_exit:  # not when stopped (Ctrl-C) while it was being made
            stdout().print(f"[dim]Agent ready. {escape(chosen.notice + online)}[/dim]")
        collector.settle()  # start-up is done: what it made is kept out of the collector's walks
        return site

    def failed(e: BaseException) -> None:
        stderr().print(
            f"[red]error:[/red] the agent could not start: {type(e).__name__}: {e}", soft_wrap=True
        )
        server.should_exit = True

    def stopping() -> None:
        """Spans still in the batch queue are written before the process ends (uvicorn re-raises the
        signal it stopped on, so exit handlers never run)."""
        if "traces.setup" in sys.modules:
            from traces.setup import current_store, flush

            if current_store() is not None:
                flush()

    deferred = DeferredSite(api, build_site, on_failure=failed, on_stop=stopping)
    server = uvicorn.Server(
        uvicorn.Config(
            deferred, host=host, port=port, proxy_headers=True, forwarded_allow_ips=forwarded_allow_ips
        )
    )
    server.run(sockets=[sock])
    if deferred.failure is not None or not server.started:  # a start-up that failed (uvicorn has said why)
        raise typer.Exit(1)


def _default_model(model: str | None) -> bool:
    """Whether `serve` runs the default offline model: nothing named, no key (agent/models.py's rule)."""
    import os

    return not (model or os.environ.get("TROVA_MODEL") or os.environ.get("OPENAI_API_KEY"))


def _resolve_model(model: str | None, base_url: str | None) -> ModelChoice:
    from agent.models import ModelConfigError, resolve_model

    try:
        return resolve_model(model, base_url)
    except ModelConfigError as e:
        raise fail(str(e)) from e


@app.command("model-server")
def model_server(
    host: Annotated[str, typer.Option(help="Interface to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8100,
) -> None:
    """Serve the offline policy as an OpenAI-compatible Chat Completions endpoint (model trova-offline)."""
    import uvicorn

    from agent.model_server import create_model_server
    from cli.listen import ListenError, listening_socket
    from traces.setup import configure_tracing

    try:
        sock = listening_socket(host, port)
    except ListenError as e:
        raise fail(str(e), e.code) from e
    configure_tracing("model-server")

    stdout().print(
        f"[dim]Try: trova chat --model openai-chat:trova-offline --base-url http://{host}:{port}/v1[/dim]"
    )
    server = uvicorn.Server(uvicorn.Config(create_model_server(), host=host, port=port))
    server.run(sockets=[sock])
    if not server.started:
        raise typer.Exit(1)


@data_app.command("build")
def data_build(
    source: Annotated[
        Path, typer.Option(help="Folder with the source files (see marketplace/seed/ATTRIBUTION.md).")
    ] = Path("../shared/data"),
    out: Annotated[
        Path | None, typer.Option(help="Where to write the seed files. Default: marketplace/seed/.")
    ] = None,
) -> None:
    """Rebuild marketplace/seed/ (categories and listings) from the taxonomy and CraigslistBargain files."""
    from marketplace.seed_build import SEED_DIR, build

    try:
        report = build(source, out or SEED_DIR)
    except (FileNotFoundError, ValueError) as e:
        raise fail(str(e)) from e
    stdout().print_json(data=report.as_dict())
    stdout().print(
        f"[green]Wrote {report.written} listings and {report.categories} categories to "
        f"{out or SEED_DIR}, and {report.heldout} held-out listings to {report.heldout_file}[/green]"
    )


@data_app.command("synth")
def data_synth(
    listings: Annotated[
        int,
        typer.Option(
            "--listings", min=1, max=50_000_000, help="How many listings the marketplace holds after."
        ),
    ],
    database_url: Annotated[
        str | None,
        typer.Option(envvar="DATABASE_URL", help="SQLAlchemy URL. Default: SQLite in the data directory."),
    ] = None,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed and size give the same listings.")
    ] = 14,
) -> None:
    """Fill the marketplace with synthetic listings (copies of the seed listings with noise in titles and
    prices) up to --listings, to measure it at scale (benchmarks/scale.py). Copies from an earlier run are
    replaced; seed listings and sellers' listings are kept."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
    from sqlalchemy.exc import SQLAlchemyError

    from marketplace import config
    from marketplace.db import make_engine
    from marketplace.synth import synthesize

    _check_settings()

    url = database_url or config.database_url()
    try:
        engine = make_engine(url)
    except ModuleNotFoundError as e:
        raise fail(
            f"the database driver is not installed: {e} (PostgreSQL: uv sync --extra postgres)", 1
        ) from e
    except SQLAlchemyError as e:
        raise _cannot_use(url, e) from e
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr(),
    ) as progress:
        task = progress.add_task("synthetic listings", total=None)
        try:
            report = synthesize(
                engine, listings, seed, lambda done, todo: progress.update(task, completed=done, total=todo)
            )
        except SQLAlchemyError as e:
            raise _cannot_use(url, e) from e
        finally:
            engine.dispose()
    stdout().print(
        f"[green]{report.total:,} listings in {config.redact_url(url)}[/green]: {report.seed_listings:,} seed, "
        f"{report.sellers:,} sellers', {report.synthetic:,} synthetic (random seed {seed}), "
        f"in {report.seconds:.1f} s"
        + (f"; {report.replaced:,} synthetic copies of an earlier run replaced" if report.replaced else "")
    )
    if report.total > listings:
        stdout().print(
            f"[yellow]--listings {listings:,} is below the {report.total - report.synthetic:,} seed and "
            "sellers' listings, which are kept: no synthetic copies were made.[/yellow]"
        )


if __name__ == "__main__":
    app()


def _devnull() -> tuple[int, int]:
    import os

    st = os.stat(os.devnull)
    return st.st_dev, st.st_ino


def main() -> None:
    """The `trova` command. When the reader of its output leaves early (`trova listings | head`), click
    exits 1, which reads like a failed gate: exit 141 instead, as a shell reports a command ended by SIGPIPE."""
    import os
    import sys

    def stdout_file() -> tuple[int, int] | None:
        try:
            st = os.fstat(1)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    from settings.errors import SettingError  # only when a command raises it: `trova --help` stays light

    before = stdout_file()
    try:
        app()
    except SettingError as e:  # read by a command that does not check them all first
        from cli.output import config_error

        raise SystemExit(config_error(str(e)).exit_code) from None
    except SystemExit as e:
        broken_pipe = (
            type(sys.stdout).__name__.endswith("PacifyFlushWrapper")  # click's broken-pipe path
            # rich's (typer's help, any plain Console): it points stdout at /dev/null, then exits 1
            or (before is not None and stdout_file() != before and stdout_file() == _devnull())
        )
        if e.code == 1 and broken_pipe:
            from cli.output import BROKEN_PIPE_EXIT

            raise SystemExit(BROKEN_PIPE_EXIT) from None
        raise
