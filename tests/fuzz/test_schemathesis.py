"""Schema fuzzing of /api/v1 with Schemathesis, in process (WSGI), as a coordinator and a candidate.

Every operation gets a bounded number of generated requests; no answer may be a 5xx, and
answers must match the OpenAPI description. Half of the examples aim at real rows (the
candidate, a pending entry, a pending internship) so that the handlers get past the 404.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import bearer
from tests.world import build_world

MAX_EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(params=["coordinator", "candidate"])
def role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


ACTORS = {"coordinator": "coordinator_same_org", "candidate": "candidate"}


@pytest.fixture()
def world(role: str, app: Any, factory: Any) -> dict[str, Any]:
    """The shared test world (tests/world.py), seen as a coordinator or as the candidate."""
    shared = build_world(app, factory)
    user = shared.users[ACTORS[role]]
    ids = {
        "entry_id": shared.ids["experience"],
        "internship_id": shared.ids["internship"],
        "candidate_id": shared.users["candidate"].id,
    }
    return {"role": role, "headers": bearer(factory.token(user)), "ids": ids}


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every operation the description lists, read without an app."""
    from tracker.api.openapi import spec

    described = schemathesis.openapi.from_dict(spec())
    return [(op.method.upper(), op.path) for op in (r.ok() for r in described.get_all_operations())]


def _aim(case: Any, ids: dict[str, int]) -> None:
    """Point the path at real rows so that the handler gets past loading."""
    for name in case.path_parameters or {}:
        if name in ids:
            case.path_parameters[name] = ids[name]
    if isinstance(case.query, dict) and "credential" in case.query:
        case.query["credential"] = "cfp"


@pytest.mark.parametrize(("method", "path"), _operations(), ids=lambda v: str(v))
def test_api_never_answers_5xx(method: str, path: str, world: dict[str, Any], app: Any) -> None:
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=cases, aim=st.booleans())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: Any, aim: bool) -> None:
        if aim:
            _aim(case, world["ids"])
        case.call_and_validate(headers=world["headers"], checks=CHECKS)

    run()


def test_far_future_dates_are_refused_not_a_crash(world: dict[str, Any], client: Any) -> None:
    """Found by the fuzzer: as_of=9999-12-31 overflowed the engine's date arithmetic (500)."""
    cid = world["ids"]["candidate_id"]
    answer = client.get(
        f"/api/v1/candidates/{cid}/progress?credential=cfp&as_of=9999-12-31",
        headers=world["headers"],
    )
    assert answer.status_code == 400
    assert "as_of" in answer.get_json()["error"]["message"]
