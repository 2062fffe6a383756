"""Why a scenario conversation ended, kept with the run: a run that fails because the agent never got
as far as a listing says whether the seller stopped (and at what reply), the turn limit cut it off, or
the script ran out, rather than only "create_listing was never made"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Why the simulated seller (evals/seller.py) had nothing more to say.
SellerStop = Literal["listing_created", "empty_reply", "asked_nothing", "unanswerable", "said_done"]
EndReason = SellerStop | Literal["turn_limit", "script_ended"]

REPLY_SHOWN = 160  # characters of the agent's reply a reason quotes


def _cut(reply: str) -> str:
    return reply if len(reply) <= REPLY_SHOWN else reply[: REPLY_SHOWN - 1].rstrip() + "…"


def quoted(reply: str) -> str:
    """The reply as a quoted literal, cut to REPLY_SHOWN characters: newlines and control characters
    escaped, so one reason stays on one line of a terminal, a JUnit message or a report."""
    return repr(_cut(reply))


@dataclass(frozen=True)
class ConversationEnd:
    """The turn (1-based) after which no seller message followed, why, and the agent's reply there."""

    turn: int
    reason: EndReason
    reply: str = ""  # the agent's last reply, cut to REPLY_SHOWN characters (the whole is in the turns)

    @classmethod
    def at(cls, turn: int, reason: EndReason, reply: str) -> ConversationEnd:
        return cls(turn, reason, _cut(reply))

    @property
    def early(self) -> bool:
        """Ended before any listing was made: the ending may be why the run failed."""
        return self.reason != "listing_created"

    def describe(self) -> str:
        stopped = f"the simulated seller stopped at turn {self.turn}"
        match self.reason:
            case "listing_created":
                return f"{stopped}: the listing was created"
            case "empty_reply":
                return f"{stopped}: the agent's reply was empty"
            case "asked_nothing":
                return f"{stopped}: the agent's reply asked nothing it could answer: {quoted(self.reply)}"
            case "unanswerable":
                return (
                    f"{stopped}: the agent asked again what it could not answer (it had said "
                    f'"I\'m not sure." once): {quoted(self.reply)}'
                )
            case "said_done":
                return f"{stopped}: the seller model said it was done, after {quoted(self.reply)}"
            case "turn_limit":
                return (
                    f"the conversation reached the scenario's turn limit (max_turns: {self.turn}); the "
                    f"agent's last reply: {quoted(self.reply)}"
                )
            case "script_ended":
                return f"the scripted turns ended at turn {self.turn} (simulate: false)"
