"""Managed Agents: what a session refuses before anything is made (docs/fidelity.md, ## Managed
Agents sessions). Cost against the real API: nothing is billed and nothing stays on the
account (the requests are refused before a session exists)."""

from __future__ import annotations

import pytest

from pytest_claude_files.contract._harness import Contract

fidelity = pytest.mark.claude_files_fidelity
UNKNOWN_AGENT = "agent_011CZkZaBF1tNoB5wlCeusgy"
UNKNOWN_ENVIRONMENT = "env_011CZkZaBF1tNoB5wlCeusgy"


@fidelity("sessions.create.unknown-agent", calls=("sessions.create",))
def test_a_session_naming_an_unknown_agent_is_refused(contract: Contract) -> None:
    answer = contract.run(
        "sessions.create naming an unknown agent (and environment)",
        lambda c: c.beta.sessions.create(agent=UNKNOWN_AGENT, environment_id=UNKNOWN_ENVIRONMENT),
    )
    assert (answer.status, answer.error_type) == (404, "not_found_error"), answer


@fidelity("sessions.beta-header", calls=("agents.create",))
def test_a_managed_agents_request_without_the_beta_is_refused(contract: Contract) -> None:
    answer = contract.run(
        "agents.create without the managed-agents beta header",
        lambda c: c.post("/v1/agents", body={"name": "contract", "model": "claude-haiku-4-5"},
                         cast_to=object, options={"headers": {"anthropic-beta": "files-api-2025-04-14"}}),
    )
    assert (answer.status, answer.error_type) == (400, "invalid_request_error"), answer
