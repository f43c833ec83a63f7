"""Code execution in a reply: the container, and the blocks each tool version answers with.

- ``code_execution_20250522`` (Python): ``server_tool_use`` named ``code_execution`` (input
  ``{"code": ...}``) + ``code_execution_tool_result`` holding a ``code_execution_result`` whose
  ``content`` lists ``code_execution_output`` items (SDK 2.17 ``types/code_execution_*``).
- ``code_execution_20250825`` and the newer ``20260120`` / ``20260521`` (bash and the text
  editor; the SDK's docstring: 20260120 "adds REPL state persistence to version
  code_execution_20250825"): ``server_tool_use`` named ``bash_code_execution`` (input
  ``{"command": ...}``) + ``bash_code_execution_tool_result`` / ``bash_code_execution_result``
  / ``bash_code_execution_output``.

Every reply to a request with a code-execution tool carries ``container`` (``id``,
``expires_at``), whether or not code ran; the ``expires_at`` is a short rolling value
(:data:`CONTAINER_EXPIRES_IN`), not the container's 30-day life.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Callable, Optional

__all__ = [
    "CODE_EXECUTION_TOOLS",
    "CONTAINER_EXPIRES_IN",
    "code_execution_tool",
    "container_of",
    "tool_blocks",
]

CODE_EXECUTION_TOOLS: dict[str, str] = {
    "code_execution_20250522": "python",
    "code_execution_20250825": "bash",
    "code_execution_20260120": "bash",
    "code_execution_20260521": "bash",
}
"""The code-execution tool versions the SDK 2.17 types name, and the block family each answers with."""
CONTAINER_EXPIRES_IN = timedelta(minutes=5)
"""Decision: a reply's ``container.expires_at`` is 5 minutes after the reply (a short rolling
value: the code-execution guide checkpoints an idle container after about 5 minutes; the exact
figure is not published)."""


def code_execution_tool(body: Any) -> Optional[str]:
    """The type of the request's first ``code_execution_*`` tool (``None``: none)."""
    tools = body.get("tools") if isinstance(body, dict) else None
    if not isinstance(tools, list):
        return None
    for tool in tools:
        kind = tool.get("type") if isinstance(tool, dict) else None
        if isinstance(kind, str) and kind.startswith("code_execution_"):
            return kind
    return None


def container_of(body: Any, now: datetime, new_id: Callable[[], str],
                 format_timestamp: Callable[[datetime], str]) -> dict[str, Any]:
    """The reply's ``container``: the request's own (``container`` id, or ``{"id": ...}``), else new."""
    given = body.get("container") if isinstance(body, dict) else None
    given = given.get("id") if isinstance(given, dict) else given
    container_id = given if isinstance(given, str) and given else new_id()
    return {"id": container_id, "expires_at": format_timestamp(now + CONTAINER_EXPIRES_IN)}


def tool_blocks(tool: str, tool_id: str, command: str, stdout: str, stderr: str, return_code: int,
                output_ids: list[str]) -> list[dict[str, Any]]:
    """The ``server_tool_use`` and result blocks of one run of ``tool`` (its own block family)."""
    if CODE_EXECUTION_TOOLS.get(tool, "bash") == "python":
        return [
            {"type": "server_tool_use", "id": tool_id, "name": "code_execution", "input": {"code": command}},
            {"type": "code_execution_tool_result", "tool_use_id": tool_id, "content": {
                "type": "code_execution_result", "stdout": stdout, "stderr": stderr,
                "return_code": return_code,
                "content": [{"type": "code_execution_output", "file_id": f} for f in output_ids]}},
        ]
    return [
        {"type": "server_tool_use", "id": tool_id, "name": "bash_code_execution",
         "input": {"command": command}},
        {"type": "bash_code_execution_tool_result", "tool_use_id": tool_id, "content": {
            "type": "bash_code_execution_result", "stdout": stdout, "stderr": stderr,
            "return_code": return_code,
            "content": [{"type": "bash_code_execution_output", "file_id": f} for f in output_ids]}},
    ]
