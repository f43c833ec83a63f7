"""The Files API's routes: pure data, (method, path pattern) -> operation name.

Operation names are the SDK's method names, so a respx route or a recorded call reads
as the code under test does (``client.beta.files.retrieve_metadata`` -> ``retrieve_metadata``).
"""

from __future__ import annotations

import re
from typing import Optional

OPERATIONS = ("upload", "list", "retrieve_metadata", "download", "delete")
FILES_PATH = "/v1/files"
FILE_ID_SEGMENT = r"(?P<file_id>[^/]+)"

ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("POST", re.compile(r"^/v1/files/?$"), "upload"),
    ("GET", re.compile(r"^/v1/files/?$"), "list"),
    ("GET", re.compile(rf"^/v1/files/{FILE_ID_SEGMENT}/content/?$"), "download"),
    ("GET", re.compile(rf"^/v1/files/{FILE_ID_SEGMENT}/?$"), "retrieve_metadata"),
    ("DELETE", re.compile(rf"^/v1/files/{FILE_ID_SEGMENT}/?$"), "delete"),
)

# For respx: (operation, method, path regex) as respx's M(method=..., path__regex=...).
ROUTE_TABLE: tuple[tuple[str, str, str], ...] = tuple(
    (op, method, pattern.pattern) for method, pattern, op in ROUTES
)


def match(method: str, path: str) -> tuple[Optional[str], Optional[str]]:
    """``(operation, file_id)`` for a request, ``(None, None)`` when no route matches."""
    for route_method, pattern, operation in ROUTES:
        if route_method == method:
            found = pattern.match(path)
            if found:
                return operation, found.groupdict().get("file_id")
    return None, None
