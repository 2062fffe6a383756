"""The scenario file format: one conversation, what the seller knows, and what a good agent must do.

`scenarios/schema.json` is generated from these models (`python -m evals.schema`), so editors can
validate and complete scenario files; a test keeps it current.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin, get_type_hints

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

MatchMode = Literal["strict", "in_order", "unordered", "subset", "superset"]
ToolName = Literal["search_categories", "compare_prices", "create_listing"]  # tools.toolset.TOOL_NAMES


def _compiles(pattern: str | None) -> str | None:
    # A pattern that does not compile must stop the load (exit 2), not fail or pass a run later.
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as e:
            raise ValueError(f"invalid regular expression {pattern!r}: {e}") from e
    return pattern


Pattern = Annotated[str, AfterValidator(_compiles)]
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "scenarios" / "schema.json"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FromSource(_Strict):
    """The value must come from an earlier tool result: found in it (an id from the lookup), or, for a
    number, inside a range it returned (suggested_low..suggested_high or p25..p75 of the comparison)."""

    tool: ToolName
    field: str | None = Field(
        None,
        description="Dotted path into the result, e.g. 'matches.id'. Default: search_categories "
        "'matches.id', create_listing 'id'; compare_prices: a number inside a range it returned.",
    )

    @model_validator(mode="after")
    def _known_field(self) -> FromSource:
        problem = result_field_problem(self.tool, self.field) if self.field is not None else None
        if problem:
            raise ValueError(problem)
        return self


def result_field_problem(tool: str, path: str) -> str | None:
    """Why `path` (dotted, through lists) names no field of the tool's result, or None when it does."""
    model: Any = tool_results()[tool]
    for depth, name in enumerate(path.split(".")):
        fields = getattr(model, "model_fields", None)
        if fields is None or name not in fields:
            known = ", ".join(sorted(fields)) if fields else "none: it is a single value"
            where = ".".join(path.split(".")[:depth]) or "the result"
            return f"{tool}'s result has no field {path!r} ({where} has {known})"
        model = _item_type(fields[name].annotation)
    return None


_MATCHER_KEYS = frozenset(
    {"equals", "contains", "regex", "between", "one_of", "any", "compare", "category_path", "from"}
)
_COMPARISON = re.compile(r"^\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$")


def _comparison(text: str) -> str:
    found = _COMPARISON.match(text)
    if found is None:
        raise ValueError(
            f"{text!r} is not a comparison: an operator (>=, >, <=, <, ==, !=) and a number, e.g. '>= 2'"
        )
    return f"{found.group(1)} {found.group(2)}"


Comparison = Annotated[str, AfterValidator(_comparison)]


def parse_comparison(text: str) -> tuple[str, float]:
    """A validated comparison's operator and number."""
    operator, number = text.split()
    return operator, float(number)


def _as_matcher(value: Any) -> Any:
    if isinstance(value, Matcher) or (isinstance(value, dict) and set(value) & _MATCHER_KEYS):
        return value
    if isinstance(value, dict):
        return value  # let validation explain the unknown keys
    return {"equals": value}


# A bare value in a scenario means `equals`.
ArgMatcher = Annotated["Matcher", BeforeValidator(_as_matcher)]


class Matcher(_Strict):
    """Exactly one of the keys. A bare value in a scenario means `equals`."""

    equals: Any = None
    contains: str | None = Field(None, description="Case-insensitive substring of the value.")
    regex: Pattern | None = Field(
        None, description="Python regular expression searched in the value (case-insensitive)."
    )
    between: tuple[float, float] | None = Field(None, description="Inclusive numeric range [low, high].")
    one_of: list[Any] | None = None
    any: bool | None = Field(None, description="`any: true`: the argument must be present, any value.")
    compare: Comparison | None = Field(
        None, description="A comparison with a number: '>= 2', '> 0', '< 500', '== 1', '!= 3'."
    )
    category_path: ArgMatcher | None = Field(
        None,
        description="The value is a category id whose path (as the marketplace names it, e.g. 'Sporting Goods > "
        "... > Bicycles') satisfies this matcher; a bare text means the path equals it.",
    )
    from_: ToolName | FromSource | None = Field(
        None,
        alias="from",
        description="A tool name (or {tool, field}): the value came from that tool's earlier result.",
    )

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _one_key(cls, data: Any) -> Any:
        if isinstance(data, dict):
            keys = [k for k in data if k in _MATCHER_KEYS]
            if len(data) != 1 or len(keys) != 1:
                unknown = [str(k) for k in data if k not in _MATCHER_KEYS]
                close = [c for k in unknown for c in difflib.get_close_matches(k, sorted(_MATCHER_KEYS), n=1)]
                hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                raise ValueError(
                    f"a matcher has exactly one of {', '.join(sorted(_MATCHER_KEYS))}; got "
                    f"{', '.join(map(str, data)) or 'nothing'}{hint}"
                )
        return data

    @model_validator(mode="after")
    def _range_in_order(self) -> Matcher:
        if self.between is not None and self.between[0] > self.between[1]:
            raise ValueError(
                f"between [{self.between[0]:g}, {self.between[1]:g}]: the low end is above the high end"
            )
        return self

    @property
    def kind(self) -> str:
        for key in ("contains", "regex", "between", "one_of", "any", "compare", "category_path", "from_"):
            if getattr(self, key) is not None:
                return key.rstrip("_")
        return "equals"

    def describe(self) -> str:
        kind = self.kind
        value = self.from_ if kind == "from" else getattr(self, kind)
        if isinstance(value, FromSource):
            value = value.tool + (f".{value.field}" if value.field else "")
        if isinstance(value, Matcher):
            return f"{kind} {value.describe()}"
        if kind == "compare":
            return f"{value}"
        return f"{kind} {value!r}"


def _as_turn_matcher(value: Any) -> Any:
    # `turn: ">= 2"` reads as a comparison (a turn number is never a string to compare equal to): any other
    # text ("two", "~ 2") is a load error here, not an expected call that can never match.
    if isinstance(value, str):
        if _COMPARISON.match(value):
            return {"compare": value}
        if value.strip().isdigit():
            return {"equals": int(value)}
        if value.strip() == "first":  # as a reply check says it
            return {"equals": 1}
        raise ValueError(
            f"{value!r} is not a turn: a number (2), first, or a comparison, an operator and a number ('>= 2')"
        )
    return _as_matcher(value)


TurnMatcher = Annotated[Matcher, BeforeValidator(_as_turn_matcher)]


class SellerFacts(_Strict):
    """What the simulated seller knows, and how they react. They answer only what they are asked."""

    item: str = Field(description="The item, as the seller would name it.")
    condition: str | None = Field(
        None,
        description="The condition in the seller's words ('barely used'), or null; it must state one of the "
        "marketplace's conditions (new, like_new, excellent, good, fair, for_parts), by name or in words the "
        "seller language file reads as one.",
    )
    asking_price: float | None = Field(None, description="A price the seller has in mind, or null.")
    price_if_asked: float | None = Field(
        None,
        description="A price the seller names only when asked for one with no suggestion to go by (the agent "
        "found no comparables); otherwise they take the agent's suggestion. Null: none.",
    )
    approves: bool = Field(True, description="Whether the seller approves the final draft.")
    price_reaction: Literal["accept", "counter", "decline"] = Field(
        "accept", description="How they react to the first drafted price."
    )
    counter_price: float | None = Field(
        None, description="The price they ask for instead, with price_reaction: counter."
    )
    category_hint: str | None = Field(
        None, description="A word picking one category when the agent offers a choice."
    )
    opening: str | None = Field(None, description="First message when there are no scripted turns.")
    price_upfront: bool = Field(
        False, description="The seller states asking_price in their first message, unasked."
    )

    @field_validator("condition")
    @classmethod
    def _states_a_condition(cls, value: str | None) -> str | None:
        # A typo ('god') states no condition: the simulated seller would say it and the agent guess one,
        # so the scenario would pass on the agent's default instead of on what the seller said.
        from evals.seller_language import grades
        from marketplace.conditions import Condition

        if value is None or value.strip().lower() in set(Condition) or grades(value):
            return value
        names = [c.value for c in Condition]
        close = difflib.get_close_matches(value.strip().lower(), [*names, *(c.label for c in Condition)], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"condition {value!r} states none of the marketplace's conditions ({', '.join(names)}), by name "
            f"or in words evals/seller_language.toml reads as one{hint}"
        )

    @model_validator(mode="after")
    def _counter_needs_price(self) -> SellerFacts:
        if self.price_reaction == "counter" and self.counter_price is None:
            raise ValueError("price_reaction: counter needs counter_price")
        if self.price_upfront and self.asking_price is None:
            raise ValueError("price_upfront needs asking_price")
        return self


@cache
def tool_results() -> dict[str, type[BaseModel]]:
    """Each tool's result model, from the tool functions' return annotations."""
    from tools.toolset import marketplace_tools

    return {name: get_type_hints(tool.function)["return"] for name, tool in marketplace_tools().tools.items()}


def _item_type(annotation: Any) -> Any:
    """A list's item type (fields are walked through lists, as the matcher walks through them)."""
    while get_origin(annotation) is list:
        annotation = get_args(annotation)[0]
    return annotation


@cache
def tool_parameters() -> dict[str, frozenset[str]]:
    """Each tool's argument names, from the agent's own toolset (so a renamed argument fails the load)."""
    from tools.toolset import marketplace_tools

    return {
        name: frozenset(tool.function_schema.json_schema.get("properties", {}))
        for name, tool in marketplace_tools().tools.items()
    }


class ExpectedCall(_Strict):
    tool: ToolName
    args: dict[str, ArgMatcher] = Field(default_factory=dict)
    turn: TurnMatcher | None = Field(
        None,
        description="The seller's message (1-based) the call must answer: a turn is every seller message, a "
        "reply to a draft included. E.g. '>= 2' or {between: [2, 12]}: only after the seller answered a question.",
    )
    returned: dict[str, ArgMatcher] = Field(
        default_factory=dict,
        description="Matchers on what the call returned, by dotted path into the result (through a list, any "
        "item), e.g. {count: 0} for a comparison that found no comparables. A call that returned nothing "
        "(failed, denied, retried) does not match.",
    )

    @field_validator("args")
    @classmethod
    def _known_arguments(cls, args: dict[str, Matcher], info: ValidationInfo) -> dict[str, Matcher]:
        # A field validator, so the error points at `args` rather than at the whole call.
        tool = info.data.get("tool")
        known = tool_parameters().get(tool, frozenset()) if tool else frozenset()
        unknown = sorted(set(args) - known)
        if tool and unknown:
            raise ValueError(
                f"{tool} has no argument {', '.join(unknown)} (its arguments: {', '.join(sorted(known))})"
            )
        return args

    @model_validator(mode="after")
    def _known_result_fields(self) -> ExpectedCall:
        for path in self.returned:
            problem = result_field_problem(self.tool, path)
            if problem:
                raise ValueError(f"returned: {problem}")
        return self


class ToolExpectations(_Strict):
    order: MatchMode = Field(
        "in_order",
        description="strict: exactly these calls in this order; in_order: these calls in this order, others "
        "allowed between; unordered: exactly these calls in any order; subset: no call outside these; "
        "superset: at least these calls, any order.",
    )
    calls: list[ExpectedCall] = Field(default_factory=list)
    never: list[ToolName | ExpectedCall] = Field(
        default_factory=list,
        description="Calls that must not happen: a tool name (never at all), or a call pattern "
        "({tool, args, turn}: never with such arguments, or never in such a turn).",
    )


class CountRange(_Strict):
    """A range of counts, both ends inclusive."""

    def describe(self) -> str:
        if self.max is None:
            return f"at least {self.min}"
        return f"{self.min}" if self.min == self.max else f"{self.min} to {self.max}"

    def holds(self, count: int) -> bool:
        return self.min <= count and (self.max is None or count <= self.max)

    min: int = Field(0, ge=0)
    max: int | None = Field(None, ge=0, description="No upper bound when left out.")

    @model_validator(mode="after")
    def _in_order(self) -> CountRange:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class ListingExpectation(_Strict):
    created: Annotated[
        Annotated[Annotated[int, Field(ge=0)], Tag("Count")] | Annotated[CountRange, Tag("CountRange")],
        Discriminator(lambda v: "CountRange" if isinstance(v, dict | CountRange) else "Count"),
    ] = Field(
        1,
        description="How many listings the conversation leaves in the marketplace: a number, or a range "
        "{min, max}.",
    )
    category_path: ArgMatcher | None = None
    price: ArgMatcher | None = None
    condition: ArgMatcher | None = None
    title: ArgMatcher | None = None
    description: ArgMatcher | None = None


class ReplyCheck(_Strict):
    """A check on the agent's replies: in any turn (default), the first, the last, or turn N (1-based)."""

    turn: Literal["any", "first", "last", "all"] | Annotated[int, Field(ge=1)] = "any"
    contains: str | None = None
    regex: Pattern | None = None
    not_contains: str | None = None
    not_regex: Pattern | None = None

    @model_validator(mode="after")
    def _one_check(self) -> ReplyCheck:
        set_keys = [
            k for k in ("contains", "regex", "not_contains", "not_regex") if getattr(self, k) is not None
        ]
        if len(set_keys) != 1:
            raise ValueError("a reply check has exactly one of contains, regex, not_contains, not_regex")
        return self


class Budget(_Strict):
    model_requests: int | None = Field(None, ge=1)
    tool_calls: int | None = Field(None, ge=0)
    tokens: int | None = Field(None, ge=1)
    calls: dict[ToolName, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict,
        description="Calls of a tool at most, whatever their outcome (a draft the seller turned down and an "
        "attempt the tool rejected count too), e.g. {create_listing: 1, search_categories: 2}.",
    )


class SideEffectLimits(_Strict):
    """A side-effecting tool (one the toolset declares so: create_listing) may succeed at most once per
    draft, i.e. per set of arguments; a repeat is a broken agent even when the marketplace deduplicates it."""

    per_draft: dict[ToolName, Annotated[int, Field(ge=1)]] = Field(
        default_factory=dict,
        description="Successful calls allowed with the same arguments, per tool (default 1).",
    )


class Expectations(_Strict):
    tools: ToolExpectations | None = None
    approval_required: bool = Field(
        True, description="create_listing may only run on a draft the seller approved."
    )
    listing: ListingExpectation | None = None
    replies: list[ReplyCheck] = Field(default_factory=list)
    budget: Budget | None = None
    side_effects: SideEffectLimits = Field(default_factory=SideEffectLimits)


class Outage(_Strict):
    """Make the marketplace unreachable for some calls, to check the agent reports it and keeps the draft.
    Shorthand for `outages: [{tool, kind: refused, on_call: 1, times: failures}]`."""

    tool: ToolName
    failures: int = Field(1, ge=1, description="How many calls of that tool fail before it works again.")


OutageKind = Literal["refused", "unavailable", "rate_limited", "timeout", "slow"]


class ToolOutage(_Strict):
    """A marketplace failure on a tool's n-th call in the run (1-based; calls are counted per tool, as
    the tool reaches the marketplace: a draft the seller never approves does not count)."""

    tool: ToolName
    kind: OutageKind = Field(
        "refused",
        description="refused: the connection is refused, nothing reaches the marketplace; unavailable: "
        "HTTP 503; rate_limited: HTTP 429 with a Retry-After header; timeout: the request reaches the "
        "marketplace (and takes effect) but no answer comes back; slow: the answer comes `delay` seconds "
        "late (a delay past the client's read timeout is a timeout, as on a real network).",
    )
    on_call: int = Field(1, ge=1, description="The tool's n-th call it starts on.")
    times: int = Field(1, ge=1, le=20, description="How many calls in a row, from `on_call`, it lasts.")
    attempts: int | None = Field(
        None,
        ge=1,
        description="HTTP attempts of each such call that fail (the client retries a GET); default: all of "
        "them, so the tool call fails.",
    )
    retry_after: int = Field(1, ge=0, le=30, description="rate_limited: the Retry-After header, in seconds.")
    delay: float = Field(0.5, ge=0, le=30, description="slow: seconds before the answer comes.")

    def covers(self, call: int) -> bool:
        return self.on_call <= call < self.on_call + self.times


@cache
def seed_categories() -> dict[str, int]:
    """The shipped taxonomy, path -> id (read from the seed file: no database needed to check a scenario)."""
    from marketplace.seed_files import shipped_category_paths

    return {path: ident for ident, path in shipped_category_paths().items()}


def category_id(category: int | str) -> int:
    """A fixture's category as an id; ValueError naming it when the taxonomy has no such category."""
    known = seed_categories()
    if isinstance(category, int):
        if category not in known.values():
            raise ValueError(f"there is no category {category}")
        return category
    if category not in known:
        leaf = category.rsplit(" > ", 1)[-1].strip().lower()
        near = [p for p in known if p.lower().endswith(leaf)][:3]
        hint = f" (did you mean {' or '.join(repr(p) for p in near)}?)" if near else ""
        raise ValueError(f"there is no category {category!r}{hint}")
    return known[category]


def _known_category(category: int | str) -> int | str:
    category_id(category)
    return category


KnownCategory = Annotated[int | str, AfterValidator(_known_category)]
ConditionName = Literal["new", "like_new", "excellent", "good", "fair", "for_parts"]


class FixtureListing(_Strict):
    """A listing another seller has on the marketplace before the conversation starts (a comparable the
    agent may be shown, with whatever its title says)."""

    title: str = Field(min_length=1, max_length=200)
    price: float = Field(gt=0, le=10_000_000)
    category: KnownCategory = Field(description="A category id, or its full path.")
    condition: ConditionName = "good"
    description: str = Field("", max_length=4000)
    seller: str = Field("Another seller", min_length=1, max_length=80, description="The seller's name.")
    copies: int = Field(1, ge=1, le=50, description="How many such listings (a title that must be seen).")


class MarketplaceFixtures(_Strict):
    """What the run's own marketplace holds beyond the seed, set up before the first message."""

    listings: list[FixtureListing] = Field(default_factory=list)
    empty_categories: list[KnownCategory] = Field(
        default_factory=list,
        description="Categories (id or full path) whose listings, their subcategories' too, are removed "
        "before the run, so that a price comparison there finds nothing.",
    )


def _accepted_message(text: str) -> str:
    # The product's own check, so that harness and product agree on what a seller may send (its length).
    from agent.session import ChatSession, InputError

    try:
        ChatSession.check_message(text)
    except InputError as e:
        raise ValueError(f"the product refuses this message: {e}") from e
    return text


def _not_a_yaml_boolean(value: object) -> object:
    # `- yes` as a scripted turn is YAML's boolean true, not the word: say so rather than "not a string".
    if isinstance(value, bool):
        raise ValueError(
            f"YAML reads an unquoted yes/no/on/off/true/false as {str(value).lower()}: quote the message, "
            'e.g. - "yes"'
        )
    return value


SellerMessage = Annotated[str, BeforeValidator(_not_a_yaml_boolean), AfterValidator(_accepted_message)]


class CapturedFrom(_Strict):
    """Where a captured scenario came from: the conversation and what drove it, so a failure reviewed on
    one variant or experiment arm is read (and re-run) against that variant, not the default agent."""

    conversation: str
    kind: str = Field(description="chat (a live conversation) or eval (an eval run's).")
    model: str = ""
    prompt: str = ""
    variant: str | None = Field(None, description="The variant's short id (trova feedback, trova monitor).")
    variant_spec: str | None = Field(
        None, description="The spec that names the variant again: trova eval run --variant A=<spec>."
    )
    arm: str | None = Field(None, description="The experiment and arm that served it: <experiment>/<arm>.")


class Scenario(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    description: str
    tags: list[str] = Field(default_factory=list)
    metadata: CapturedFrom | None = Field(
        None, description="Written by trova eval capture: the conversation it came from and its variant."
    )
    seller: SellerFacts
    turns: list[SellerMessage] = Field(
        default_factory=list,
        description="Scripted seller messages, sent in order (each one the product accepts: not empty, "
        "within its length limit).",
    )
    simulate: bool = Field(
        True, description="After the scripted turns, the simulated seller answers the agent."
    )
    image: str | None = Field(
        None,
        description="An image the seller attaches with the first message (PNG, JPEG or WebP; path relative to the file).",
    )
    max_turns: int = Field(
        12, ge=1, le=50, description="Seller messages at most; ends a runaway conversation."
    )
    outage: Outage | None = None
    outages: list[ToolOutage] = Field(
        default_factory=list, description="Marketplace failures on chosen calls of chosen tools."
    )
    marketplace: MarketplaceFixtures | None = Field(
        None, description="Listings added to, or categories emptied in, this run's own marketplace."
    )
    expect: Expectations

    @model_validator(mode="after")
    def _outages_do_not_overlap(self) -> Scenario:
        rules = self.outage_plan()
        for i, a in enumerate(rules):
            for b in rules[i + 1 :]:
                if a.tool == b.tool and a.on_call < b.on_call + b.times and b.on_call < a.on_call + a.times:
                    raise ValueError(
                        f"two outages cover the same call of {a.tool} (call {max(a.on_call, b.on_call)})"
                    )
        return self

    def outage_plan(self) -> list[ToolOutage]:
        """Every outage of the run, the `outage` shorthand included."""
        legacy = (
            [ToolOutage(tool=self.outage.tool, kind="refused", on_call=1, times=self.outage.failures)]
            if self.outage
            else []
        )
        return [*legacy, *self.outages]


def json_schema() -> dict[str, Any]:
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Trova scenario"
    return schema


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    path.write_text(json.dumps(json_schema(), indent=2) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_schema())
