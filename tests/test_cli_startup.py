"""What `trova` starts late, so that it starts quickly: the command groups imported on first use (a quick
`trova --help`), and the embedded marketplace started on its first request (a quick first reply)."""

from __future__ import annotations

import asyncio
import gc
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.connection import Connection, EmbeddedMarketplace, MarketplaceStartError, connect, embedded_key
from cli.main import app
from marketplace.config import redact_url


def test_every_command_group_is_listed_and_runs_though_loaded_late() -> None:
    # eval, traces, monitor and review are imported on first use (a quick `trova --help`), yet listed.
    runner = CliRunner()
    listed = runner.invoke(app, ["--help"]).output
    for group in ("eval", "traces", "monitor", "review", "data"):
        assert f"  {group} " in listed, listed
        assert runner.invoke(app, [group, "--help"]).exit_code == 0, group


# What a command's --help must not import: the tracing stack, the agent framework, the database, the web app,
# the eval harness. Each costs from a tenth of a second to seconds at start-up (`trova eval --help` took
# 3.7-5 s when the eval commands imported the harness at import time); the commands import them when they run.
HEAVY = ("logfire", "pydantic_ai", "opentelemetry.sdk", "sqlalchemy", "fastapi", "uvicorn")
HEAVY_OURS = (
    "evals.runner",
    "evals.results",
    "evals.driver",
    "marketplace.app",
    "agent.session",
    "ops.store",
)
_HELP_ALL = """
import contextlib, io, json, sys
from cli.main import app
for argv in json.loads(sys.argv[1]):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        app(argv, standalone_mode=False)
print(json.dumps(sorted(sys.modules)))
"""


def _help_commands() -> dict[str, list[list[str]]]:
    """Every command's --help, by group ("" for the top-level commands)."""
    import click
    import typer

    root = typer.main.get_command(app)
    ctx = click.Context(root)
    found: dict[str, list[list[str]]] = {"": [["--help"]]}
    for name in root.list_commands(ctx):
        command = root.get_command(ctx, name)
        if hasattr(command, "list_commands"):  # a group (typer keeps a click of its own)
            # `heldout` runs only to measure; its help is the group's concern, not started here
            subs = [s for s in command.list_commands(ctx) if s != "heldout"]
            found[name] = [[name, "--help"], *([name, s, "--help"] for s in subs)]
        else:
            found[""].append([name, "--help"])
    return found


def test_no_command_s_help_imports_the_heavy_modules() -> None:
    import subprocess
    import sys

    commands = _help_commands()
    assert {"eval", "traces", "monitor", "review", "feedback", "prompts", "experiment", "data"} <= set(
        commands
    )
    for group, helps in commands.items():  # one process per group: each starts as `trova` does
        done = subprocess.run(
            [sys.executable, "-c", _HELP_ALL, json.dumps(helps)], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        modules = json.loads(done.stdout.splitlines()[-1])
        heavy = sorted(
            {
                m.split(".")[0]
                for m in modules
                if m.split(".")[0] in HEAVY or m.startswith("opentelemetry.sdk")
            }
            | {m for m in modules if m in HEAVY_OURS}
        )
        assert heavy == [], f"trova {group or '(top level)'} --help imports {heavy}"


# The embedded marketplace (FastAPI app, database, category index) starts on its first request, or in the
# background while an interactive seller types, not before the chat's first reply.


def _listings_total(connection: Connection) -> int:
    async def fetch() -> int:
        async with connection.client as client:
            return (await client.list_listings(limit=1)).total

    return asyncio.run(fetch())


def test_the_embedded_marketplace_starts_on_its_first_request(db_url: str) -> None:
    connection = connect(None, database_url=db_url)
    assert connection.embedded is not None and not connection.embedded.started
    assert _listings_total(connection) > 7000  # the seeded marketplace, answering for real
    assert connection.embedded.started


def test_a_warm_up_starts_it_in_the_background_once(db_url: str) -> None:
    connection = connect(None, database_url=db_url)
    embedded = connection.embedded
    assert embedded is not None
    embedded.warm_up()
    assert embedded._warming is not None
    embedded._warming.join(timeout=120)
    assert embedded.started
    transport = embedded.start()
    assert _listings_total(connection) > 7000 and embedded.start() is transport  # not started twice


def test_on_a_fresh_data_directory_the_index_is_built_as_it_starts_not_by_the_first_search(
    tmp_path: Path, trova_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run's registration starts the marketplace before any turn; the category index was then
    built by the conversation's first search instead (7.7 s of a 9.2 s first turn at load 15: the slow-turn
    alert on the very first conversation). It is built, and saved for the next process, as it starts."""
    import marketplace.app as market

    monkeypatch.setattr(market, "_INDEXES", {})  # none built in this process, none on disk (a new home)
    connection = connect(None, database_url=f"sqlite:///{tmp_path / 'fresh.db'}")
    embedded = connection.embedded
    assert embedded is not None
    embedded.start()
    assert list((trova_home / "cache").glob("category-index-*.pickle"))  # the next process reads it

    def built_in_a_search(_: object) -> None:
        raise AssertionError("the category index was built by a search")

    monkeypatch.setattr(market.Marketplace, "_build_index", built_in_a_search)

    async def search() -> list[str]:
        async with connection.agent as client:
            return [m.path for m in (await client.search_categories("Trek road bike")).matches]

    assert any(path.endswith("Bicycles") for path in asyncio.run(search()))


def test_a_first_run_is_known_before_the_marketplace_starts(tmp_path: Path, trova_home: Path) -> None:
    # So the chat says it is setting up (seconds, once) rather than seem to hang before its first answer.
    embedded = EmbeddedMarketplace(f"sqlite:///{tmp_path / 'new.db'}")
    assert embedded.first_run
    embedded.start()
    assert not embedded.first_run
    assert not EmbeddedMarketplace("postgresql://u@localhost/db").first_run  # a server's: not ours to say


def _broken_database(tmp_path: Path, trova_home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A database the marketplace cannot open, with the seller's credentials already stored (as after an
    earlier chat), so nothing needs the marketplace before the first tool call."""
    # A folder where the file should be: the URL is fine as written (its folder exists), SQLite cannot open
    # it. (A file in a missing folder is a setting error before anything starts: tests/test_settings.py.)
    (tmp_path / "marketplace.db").mkdir()
    url = f"sqlite:///{tmp_path}/marketplace.db"
    monkeypatch.setenv("DATABASE_URL", url)
    trova_home.mkdir(parents=True, exist_ok=True)
    (trova_home / "credentials.json").write_text(
        json.dumps({embedded_key(url): {"seller_id": "seller_x", "token": "t"}})
    )
    return url


def test_a_marketplace_that_cannot_start_is_a_clear_error_where_it_is_first_needed(
    tmp_path: Path, trova_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _broken_database(tmp_path, trova_home, monkeypatch)
    result = CliRunner().invoke(
        app, ["chat"], input="hi\nI want to sell my Trek road bike\n", env={"COLUMNS": "400"}
    )
    out = result.output
    assert "What would you like to sell?" in out  # the first reply needed no marketplace
    assert "→ search_categories(" in out  # the first tool call did, and stopped the chat
    assert result.exit_code == 1, out
    assert f"error: the embedded marketplace could not start: cannot use the database {url}" in out
    assert "unable to open database file" in out and "Traceback" not in out
    saved = list((trova_home / "conversations").glob("*.json"))
    assert len(saved) == 1 and json.loads(saved[0].read_text())["turns"] == 1  # the turn before is kept

    listings = CliRunner().invoke(app, ["listings"], env={"COLUMNS": "400"})
    assert listings.exit_code == 1 and "the embedded marketplace could not start" in listings.output


def test_a_database_url_it_cannot_use_is_named(trova_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+nosuchdriver://u@127.0.0.1:1/db")
    result = CliRunner().invoke(app, ["chat"], input="hi\n", env={"COLUMNS": "400"})
    assert result.exit_code == 1, result.output
    assert "the embedded marketplace could not start: cannot use the database postgresql+nosuchdriver" in (
        result.output
    )
    assert "Traceback" not in result.output


def test_a_missing_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import marketplace.app

    def no_driver(*_args: object, **_kwargs: object) -> None:
        raise ModuleNotFoundError("No module named 'psycopg'")

    monkeypatch.setattr(marketplace.app, "create_app", no_driver)
    embedded = EmbeddedMarketplace("postgresql://u@db.example/trova")
    with pytest.raises(MarketplaceStartError, match=r"driver is not installed.*uv sync --extra postgres"):
        embedded.start()
    assert not embedded.started  # the next request tries again


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcXYZ019_./ +~-%:?#é@", max_size=16))
def test_the_default_databases_credentials_key_is_its_redacted_url(path: str) -> None:
    # Read without SQLAlchemy for plain paths, yet always the key filed before (credentials stay found).
    url = f"sqlite:///{path}"
    assert embedded_key(url) == "embedded:" + redact_url(url)


# The online checks' harness (pydantic-evals, the checks, the verdict store) is imported by the first
# conversation in the sample, not by start-up: three in four conversations never need it.


def _python(code: str) -> str:
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.strip()


def test_starting_a_chat_or_the_site_does_not_import_the_eval_harness() -> None:
    loaded = _python(
        "import sys\n"
        "from cli.online import online_capabilities\n"
        "import cli.chat, web.site\n"
        "capabilities = online_capabilities(0.25)\n"
        "print(len(capabilities), sorted(m for m in sys.modules if m.startswith(('pydantic_evals', 'evals.'))))"
    )
    assert loaded == "1 ['evals.sampling']", loaded


def _run_context(conversation_id: str) -> object:
    from types import SimpleNamespace

    return SimpleNamespace(conversation_id=conversation_id, run_id="run-1", metadata={})


def test_a_conversation_outside_the_sample_runs_without_loading_the_checks() -> None:
    from cli.online_capability import SampledEvaluation
    from evals.sampling import in_sample

    capability = SampledEvaluation(0.25)
    outside = next(f"c{i}" for i in range(1000) if not in_sample(f"c{i}", 0.25))
    ran: list[str] = []

    async def handler() -> str:
        ran.append("turn")
        return "result"

    result = asyncio.run(capability.wrap_run(_run_context(outside), handler=handler))  # type: ignore[arg-type]
    assert result == "result" and ran == ["turn"]
    assert capability._real is None  # nothing of the harness was built


def test_a_sampled_conversation_gets_the_real_checks_and_a_broken_store_costs_only_its_verdicts(
    trova_home: Path, tmp_path: Path
) -> None:
    from cli.online_capability import SampledEvaluation
    from evals.online import ConversationEvaluation

    assert isinstance(SampledEvaluation(1.0, tmp_path / "ops.db").real(), ConversationEvaluation)
    with pytest.raises(ValueError):
        SampledEvaluation(1.5)
    # A store it cannot open (a folder where the file should be): the turn still runs, unjudged.
    (tmp_path / "taken").mkdir()
    broken = SampledEvaluation(1.0, tmp_path / "taken")

    async def handler() -> str:
        return "result"

    assert asyncio.run(broken.wrap_run(_run_context("c1"), handler=handler)) == "result"  # type: ignore[arg-type]


# Once start-up is done, what it made is frozen out of the collector's walks, once per process.


def test_the_collector_is_settled_once_after_start_up() -> None:
    out = _python(
        "import gc\n"
        "from marketplace.gc_tuning import YOUNG_THRESHOLD, settle_after_startup\n"
        "before = gc.get_freeze_count()\n"
        "first, second = settle_after_startup(), settle_after_startup()\n"
        "print(before == 0, gc.get_freeze_count() > 0, first, second, gc.get_threshold()[0] == YOUNG_THRESHOLD)"
    )
    assert out == "True True True False True", out


def test_collections_are_paused_while_a_command_starts_and_back_on_however_it_ends() -> None:
    from cli.collector import paused_while_starting

    seen: list[bool] = []

    @paused_while_starting
    def failing() -> None:
        seen.append(gc.isenabled())
        raise RuntimeError("no prompt")

    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        failing()
    assert seen == [False] and gc.isenabled()


def test_settling_turns_collections_back_on_with_start_up_frozen() -> None:
    out = _python(
        "import gc\n"
        "from cli.collector import paused_while_starting, settle\n"
        "@paused_while_starting\n"
        "def start():\n"
        "    paused = not gc.isenabled()\n"
        "    settle()\n"
        "    return paused, gc.isenabled(), gc.get_freeze_count() > 0\n"
        "print(*start())"
    )
    assert out == "True True True", out


def test_a_chat_settles_the_collector_once_its_agent_is_made() -> None:
    out = _python(
        "import gc, os, tempfile\n"
        "os.environ['TROVA_HOME'] = tempfile.mkdtemp()\n"
        "os.environ['TROVA_TRACES'] = 'off'\n"
        "from typer.testing import CliRunner\n"
        "from cli.main import app\n"
        "result = CliRunner().invoke(app, ['chat', '--online-eval-rate', '0'], input='hi\\n')\n"
        "print(result.exit_code, gc.get_freeze_count() > 10_000)"
    )
    assert out == "0 True", out


def test_the_offline_rules_read_the_same_with_libyaml() -> None:
    import yaml

    from agent.offline.lexicon import DATA, read_yaml

    files = sorted(DATA.glob("*.yaml"))
    assert len(files) >= 8
    for path in files:
        assert read_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8")), path.name
