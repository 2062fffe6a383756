"""The marketplace API against its own OpenAPI document, by schemathesis: requests generated from the
document, valid ones and invalid ones, with a seller's token, and every answer checked — never a 5xx, its status
documented for the operation, its body the documented schema. A bounded budget per operation keeps it
quick; the fixed seed keeps it repeatable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.openapi import from_asgi
from schemathesis.specs.openapi.checks import positive_data_acceptance

from marketplace.app import create_app
from tests.conftest import BASE_URL

EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def contract_app(db_url: str) -> Iterator[FastAPI]:
    app = create_app(db_url, rate_limits=None)
    yield app
    app.state.market.engine.dispose()


@pytest.fixture
def token(contract_app: FastAPI) -> str:
    with TestClient(contract_app, base_url=BASE_URL) as client:
        return str(client.post("/sellers", json={"name": "Contract"}).json()["token"])


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_answer_is_the_documented_one(contract_app: FastAPI, token: str, mode: GenerationMode) -> None:
    schema = from_asgi("/openapi.json", contract_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14  # every endpoint, drafts and grants included
    for operation in operations:
        if mode == GenerationMode.NEGATIVE and not (list(operation.iter_parameters()) or operation.body):
            continue  # nothing to get wrong (GET /health)

        @given(case=operation.as_strategy(mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_documented(case: schemathesis.Case) -> None:
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"},
                # The document cannot state every rule of the text fields (no control characters, prices in
                # cents), so a body it allows may still be a (documented) 422.
                excluded_checks=[positive_data_acceptance],
            )

        answers_as_documented()
