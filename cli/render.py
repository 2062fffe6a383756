"""How the CLI shows tool activity, drafts and listings (rich)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from agent.approvals import parse_denial
from agent.metrics import is_decline
from agent.session import Draft, ToolActivity
from ops.counts import counted
from ops.shown import field_label, money, shown_value


@functools.cache
def _category_names() -> dict[int, str]:
    from marketplace.seed_files import shipped_category_paths

    return {ident: path.rsplit(" > ", 1)[-1] for ident, path in shipped_category_paths().items()}


def category_name(category_id: int) -> str | None:
    """A category's own name ("Bicycles"; no two categories share one) from the shipped taxonomy, which
    every marketplace is seeded with; None for an id it lacks."""
    return _category_names().get(category_id)


def field_change(field: str | None, old: Any, new: Any, *, quote: bool = False) -> str:
    """A draft field a seller changed, as the CLI shows it everywhere (`trova feedback`, `trova review
    list`): a price as money ($90 → $140), the category by its name, text as written (`quote`: in
    quotes, where its ends must show)."""
    shown = [shown_value(field, v, category_name) for v in (old, new)]
    if quote and field not in ("price", "category_id"):
        shown = [repr(v) for v in (old, new)]
    return f"{field_label(field)} {shown[0]} → {shown[1]}"


def _short(value: Any, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def call_line(activity: ToolActivity) -> str:
    args = ", ".join(
        f"{k}={v!r}" if not isinstance(v, str) else f"{k}={_short(v, 40)!r}"
        for k, v in activity.args.items()
        if k != "description"
    )
    if activity.name == "create_listing":
        state = "approved, posting" if activity.approved else "draft for your approval"
        return f"[dim]→ {activity.name} ({state})[/dim]"
    return f"[dim]→ {activity.name}({escape(args)})[/dim]"


def result_line(activity: ToolActivity) -> str:
    if activity.outcome == "failed":
        return f"[red]← {activity.name} failed: {escape(_short(activity.message, 160))}[/red]"
    if activity.outcome == "retried":
        return f"[yellow]← {activity.name} asked the model to retry: {escape(_short(activity.message, 160))}[/yellow]"
    if activity.outcome == "denied":
        reply = parse_denial(activity.message)
        if reply and not is_decline(reply):  # a question or a change, not a no: the draft is not dropped
            return f"[dim]← {activity.name}: not posted yet (your reply went to the assistant)[/dim]"
        return f"[yellow]← {activity.name}: not approved[/yellow]"
    result = activity.result if isinstance(activity.result, dict) else {}
    if activity.name == "search_categories":
        matches = result.get("matches", [])
        if not matches:
            return "[dim]← no matching categories[/dim]"
        top = "; ".join(
            f"{m['path'].split(' > ')[-1]} ({m['score']:.2f}{'' if m['is_leaf'] else ', not a leaf'})"
            for m in matches[:3]
        )
        return f"[dim]← {counted(len(matches), 'category', 'categories')}: {escape(top)}[/dim]"
    if activity.name == "compare_prices":
        if not result.get("count"):
            return "[dim]← no comparable listings[/dim]"
        # One listing has a price, not a spread: its "middle half" would be that price three times.
        spread = (
            f" at {money(round(result['median']))}"
            if result["count"] == 1
            else f", median {money(round(result['median']))}, middle half "
            f"{money(round(result['p25']))}–{money(round(result['p75']))}"
        )
        return (
            f"[dim]← {counted(result['count'], 'comparable listing')}{spread}, suggested "
            f"{money(result['suggested_price'])} "
            f"(confidence {result['confidence_label']})[/dim]"
        )
    if activity.name == "create_listing":
        return f"[green]← listing #{result.get('id')} created[/green]"
    return f"[dim]← {activity.name}: {escape(_short(result, 120))}[/dim]"


def draft_panel(draft: Draft, category_path: str | None = None) -> Panel:
    a = draft.args
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("Title", escape(str(a.get("title", ""))))
    grid.add_row("Price", money(a.get("price"), str(a.get("currency", "USD"))))
    grid.add_row("Condition", str(a.get("condition", "")).replace("_", " "))
    grid.add_row("Category", escape(category_path or str(a.get("category_id", ""))))
    grid.add_row("Description", escape(str(a.get("description", ""))))
    return Panel(grid, title="Draft listing", border_style="cyan")


def listings_table(items: list[dict[str, Any]], console: Console) -> None:
    table = Table(show_lines=False)
    for column in ("id", "title", "price", "condition", "category", "seller", "created"):
        table.add_column(column, overflow="fold")
    for item in items:
        table.add_row(
            str(item["id"]),
            escape(item["title"]),
            money(item["price"], item["currency"]),
            item["condition"].replace("_", " "),
            escape(item["category_path"].split(" > ")[-1]),
            item["seller_id"],
            str(item["created_at"])[:16].replace("T", " "),
        )
    console.print(table)


def variant_labels(variant_ids: Iterable[str]) -> dict[str, str]:
    """Each variant id as a person reads it: its spec, then the id ("offline,prompt=listing_agent@ab12,
    temperature=0.2 · 4a1659a5ba"), from the trace store's turns; an id it does not know is left out."""
    import sqlite3

    from traces.migrations import StoreTooNew
    from traces.setup import store_path
    from traces.store import TraceStore

    path = store_path()
    if not path.is_file():
        return {}
    try:
        specs = TraceStore(path).variant_specs([v for v in variant_ids if v and v != "unknown"])
    except (sqlite3.Error, StoreTooNew):  # the labels are a help: the ids are shown as they are then
        return {}
    return {variant: f"{spec} · {variant}" for variant, spec in specs.items()}
