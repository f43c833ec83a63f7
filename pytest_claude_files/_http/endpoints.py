"""The endpoints of the resources beside Files and Messages, by operation name.

Each resource's HTTP module (``_http/batches.py``, ``_http/skills.py``,
``_http/sessions.py``) defines ``ENDPOINTS``: operation name -> a function of an
:class:`~pytest_claude_files._http.endpoint.Endpoint` returning an ``HTTPResponse``; its
routes are rows of ``_http/routes.py`` (``RESOURCE_ROUTES``) under the same names. The
handler looks an operation up here after authentication, the rate limit and the version
and beta checks, so every resource gets them, and the same error envelope, for free.
"""

from __future__ import annotations

from typing import Callable

from pytest_claude_files._http import batches as _batches
from pytest_claude_files._http import sessions as _sessions
from pytest_claude_files._http import skills as _skills
from pytest_claude_files._http.endpoint import Endpoint, HTTPResponse

__all__ = ["ENDPOINTS"]

ENDPOINTS: dict[str, Callable[[Endpoint], HTTPResponse]] = {}
"""Operation name -> endpoint (each resource module adds its own below)."""
ENDPOINTS.update(_batches.ENDPOINTS)
ENDPOINTS.update(_skills.ENDPOINTS)
ENDPOINTS.update(_sessions.ENDPOINTS)
