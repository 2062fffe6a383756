"""Which models cost nothing to run: those that answer in this process without a provider."""

from __future__ import annotations

from pydantic_ai.models import Model
from pydantic_ai.models.function import FunctionModel
from pydantic_ai.models.test import TestModel
from pydantic_ai.models.wrapper import WrapperModel


def costs_nothing(model: Model | str | None) -> bool:
    """pydantic-ai's `TestModel` (`test`) and `FunctionModel` (the offline model is one; so is a team's own
    function model), however wrapped (timing, recording, instrumentation): their cost is $0.00, known, where
    genai-prices knows no price for them. A real model it does not know stays unknown (None), never 0."""
    while isinstance(model, WrapperModel):
        model = model.wrapped
    return isinstance(model, FunctionModel | TestModel) or model == "test"
