"""The ``contract`` fixture's object: one SDK call on the backend and on a fake, compared.

A contract test performs every request through :meth:`Contract.run` (or :meth:`Contract.arun`
for the async client). Each call runs twice: on the backend's client (the fixture client:
the fake, the emulator or the real API) and on a reference fake in this process, built
with the same settings. Both outcomes are normalised (ids, request ids, times and page
tokens become placeholders) and compared; a difference fails the test with both answers,
and is kept for the summary and the JSON report, with the request as the fake saw it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Iterable, Optional, Sequence

from pytest_claude_files.contract._deadline import Deadline

__all__ = ["Answer", "Contract", "Difference", "Exchange", "normalize"]

_FILE_ID = re.compile(r"\bfile_[A-Za-z0-9]+")
_REQUEST_ID = re.compile(r"\breq_[A-Za-z0-9]+")
_MESSAGE_ID = re.compile(r"\bmsg_[A-Za-z0-9]+")
_PAGE = re.compile(r"^page_[A-Za-z0-9_\-=]+$")
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
_TIME_KEYS = frozenset({"created_at", "expires_at"})
SHOWN_BODY = 300  # characters of a request body shown in a difference


class Answer:
    """One side's outcome of a call: ``value`` (the SDK's result) or ``error`` (what it raised)."""

    def __init__(self, value: Any = None, error: Optional[BaseException] = None) -> None:
        self.value = value
        self.error = error
        self.pair: Optional[Answer] = None  # the same call's answer on the reference fake

    def __repr__(self) -> str:
        return f"<Answer {describe(self)}>"

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> Optional[int]:
        """200 for a success; the HTTP status of an ``APIStatusError``; else ``None``."""
        if self.error is None:
            return 200
        return getattr(self.error, "status_code", None)

    @property
    def body(self) -> dict[str, Any]:
        """The JSON body of an error answer (``{}`` for a success or a non-JSON body)."""
        response = getattr(self.error, "response", None)
        if response is None:
            return {}
        try:
            data = response.json()
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    @property
    def error_type(self) -> Optional[str]:
        error = self.body.get("error")
        return error.get("type") if isinstance(error, dict) else None

    @property
    def error_code(self) -> Optional[str]:
        error = self.body.get("error")
        details = error.get("details") if isinstance(error, dict) else None
        return details.get("error_code") if isinstance(details, dict) else None

    @property
    def message(self) -> str:
        error = self.body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        return "" if self.error is None else str(self.error)

    @property
    def headers(self) -> dict[str, str]:
        """Headers of an error answer (lower-case names); ``{}`` for a success."""
        response = getattr(self.error, "response", None)
        if response is None:
            return {}
        return {k.lower(): v for k, v in response.headers.items()}


def describe(answer: Answer) -> str:
    return json.dumps(answer_json(answer, {}), sort_keys=True, default=str)[:SHOWN_BODY]


def answer_json(answer: Answer, labels: dict[str, str], *, message: bool = True) -> Any:
    """The comparable form of an answer (what a difference shows)."""
    if answer.error is None:
        return normalize(answer.value, labels)
    if answer.status is None:
        out: dict[str, Any] = {"raised": type(answer.error).__name__}
        if message:
            out["message"] = _replace_ids(str(answer.error), labels)
        return out
    out = {"status": answer.status, "class": type(answer.error).__name__, "error_type": answer.error_type}
    if answer.error_code is not None:
        out["error_code"] = answer.error_code
    if message:
        out["message"] = _replace_ids(answer.message, labels)
    return out


def _replace_ids(text: str, labels: dict[str, str]) -> str:
    text = _FILE_ID.sub(lambda m: labels.get(m.group(0), "<file ?>"), text)
    text = _REQUEST_ID.sub("<request id>", text)
    return _MESSAGE_ID.sub("<message id>", text)


def normalize(value: Any, labels: dict[str, str], key: Optional[str] = None) -> Any:
    """A plain JSON value with what differs by nature between two backends replaced."""
    if isinstance(value, type):
        return value.__name__
    if hasattr(value, "has_next_page"):
        # a page of a live account holds other files too: a test returns what it looks at
        return f"<{type(value).__name__}>"
    if hasattr(value, "model_dump"):  # SDK models and pages: the fields the answer carried
        value = value.model_dump(mode="json", exclude_unset=True)
    elif hasattr(value, "http_response") and hasattr(value, "read"):  # a binary download
        data = value.read()
        return {"bytes": len(data), "content-type": value.http_response.headers.get("content-type")}
    if isinstance(value, dict):
        return {str(k): normalize(v, labels, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(v, labels) for v in value]
    if isinstance(value, str):
        if value in labels:
            return labels[value]
        if key in _TIME_KEYS or _TIME.match(value):
            return "<time>"
        if _PAGE.match(value):
            return "<page token>"
        return _replace_ids(value, labels)
    if hasattr(value, "isoformat"):
        return "<time>"
    return value


@dataclass
class Exchange:
    """One call of a contract test on both sides, as the report keeps it."""

    label: str
    requests: list[str]
    fake: Any
    backend: Any
    same: bool
    extra_keys: list[str] = field(default_factory=list)

    @property
    def fields(self) -> list[str]:
        return differing(self.fake, self.backend)

    def to_dict(self) -> dict[str, Any]:
        return {
            "call": self.label,
            "requests": self.requests,
            "fake": self.fake,
            "backend": self.backend,
            "same": self.same,
            "differs_in": self.fields,
            "backend_extra_keys": self.extra_keys,
        }


class Difference(AssertionError):
    """The backend answered a call differently from the fake."""


def differing(fake: Any, backend: Any, path: str = "") -> list[str]:
    """The paths (``a.b.0``) where ``backend`` does not say what ``fake`` says."""
    if isinstance(fake, dict) and isinstance(backend, dict):
        out = []
        for k, v in fake.items():
            out.extend([f"{path}{k}"] if k not in backend else differing(v, backend[k], f"{path}{k}."))
        return out
    if isinstance(fake, list) and isinstance(backend, list) and len(fake) == len(backend):
        pairs = enumerate(zip(fake, backend, strict=True))
        return [p for i, (a, b) in pairs for p in differing(a, b, f"{path}{i}.")]
    return [] if fake == backend else [path.rstrip(".") or "(the answer)"]


def _compare(fake: Any, backend: Any, path: str = "") -> tuple[bool, list[str]]:
    """Whether ``backend`` says what ``fake`` says; keys only the backend sends are listed, not held
    against it (the real API may carry fields the fake does not model)."""
    if isinstance(fake, dict) and isinstance(backend, dict):
        same, extra = True, [f"{path}{k}" for k in backend if k not in fake]
        for k, v in fake.items():
            if k not in backend:
                same = False
                continue
            ok, more = _compare(v, backend[k], f"{path}{k}.")
            same = same and ok
            extra.extend(more)
        return same, extra
    if isinstance(fake, list) and isinstance(backend, list):
        if len(fake) != len(backend):
            return False, []
        same, extra = True, []
        for i, (a, b) in enumerate(zip(fake, backend, strict=True)):
            ok, more = _compare(a, b, f"{path}{i}.")
            same = same and ok
            extra.extend(more)
        return same, extra
    return fake == backend, []


class _Side:
    def __init__(self, name: str, client: Any) -> None:
        self.name = name
        self.client = client
        self.labels: dict[str, str] = {}  # file id -> "<file N>"

    def learn(self, value: Any) -> None:
        """Give every file id in an upload's answer its label (order of first sight)."""
        file_id = getattr(value, "id", None)
        if isinstance(file_id, str) and file_id.startswith("file_") and file_id not in self.labels:
            self.labels[file_id] = f"<file {len(self.labels) + 1}>"


class Contract:
    """The ``contract`` fixture: run each SDK call on the backend and on a reference fake."""

    def __init__(
        self,
        *,
        backend_name: str,
        client: Any,
        fake_client: Any,
        requests: list[str],
        async_clients: Optional[Callable[[], tuple[Any, Any]]] = None,
        deadline: Optional[Deadline] = None,
    ) -> None:
        self.backend_name = backend_name
        self.deadline = deadline
        """The check's time bound (the fixture puts its hooks on the backend's clients)."""
        self._backend = _Side("backend", client)
        self._fake = _Side("fake", fake_client)
        self._requests = requests  # appended to by the reference fake's request hook
        self._async_clients = async_clients
        self._async: Optional[tuple[_Side, _Side]] = None
        self.exchanges: list[Exchange] = []

    def _args(self, args: Sequence[Answer]) -> tuple[list[Any], list[Any]]:
        for arg in args:
            if not isinstance(arg, Answer) or arg.pair is None:
                raise TypeError(f"contract.run(...) takes earlier answers as arguments, got {arg!r}")
        return [a.value for a in args], [a.pair.value for a in args if a.pair is not None]

    def run(
        self,
        label: str,
        call: Callable[..., Any],
        *args: Answer,
        message: bool = False,
        keys: Optional[Iterable[str]] = None,
    ) -> Answer:
        """``call(client, *values)`` on both sides; returns the backend's :class:`Answer`.

        ``args`` are earlier answers: each side gets its own value of them (its own file ids).
        ``message=True`` compares error messages too (their wording is a behaviour of its
        own); ``keys`` limits the comparison of a dict answer to those keys.
        """
        __tracebackhide__ = True
        backend_args, fake_args = self._args(args)
        start = len(self._requests)
        fake = _call(call, self._fake.client, fake_args)
        requests = self._requests[start:]
        backend = _call(call, self._backend.client, backend_args)
        if self.deadline is not None:
            self.deadline.check(label)
        return self._settle(label, backend, fake, requests, message, keys, (self._backend, self._fake))

    async def arun(
        self,
        label: str,
        call: Callable[..., Awaitable[Any]],
        *args: Answer,
        message: bool = False,
        keys: Optional[Iterable[str]] = None,
    ) -> Answer:
        """:meth:`run` with the async clients (``claude_files_async_client`` and a fake's)."""
        if self._async is None:
            if self._async_clients is None:  # pragma: no cover - the fixture always gives them
                raise RuntimeError("no async clients")
            backend_client, fake_client = self._async_clients()
            self._async = (_Side("backend", backend_client), _Side("fake", fake_client))
            self._async[0].labels = self._backend.labels
            self._async[1].labels = self._fake.labels
        __tracebackhide__ = True
        backend_args, fake_args = self._args(args)
        start = len(self._requests)
        fake = await _acall(call, self._async[1].client, fake_args)
        requests = self._requests[start:]
        backend = await _acall(call, self._async[0].client, backend_args)
        if self.deadline is not None:
            self.deadline.check(label)
        return self._settle(label, backend, fake, requests, message, keys, self._async)

    def _settle(
        self,
        label: str,
        backend: Answer,
        fake: Answer,
        requests: list[str],
        message: bool,
        keys: Optional[Iterable[str]],
        sides: tuple[_Side, _Side],
    ) -> Answer:
        __tracebackhide__ = True
        backend.pair = fake
        if backend.ok:
            sides[0].learn(backend.value)
        if fake.ok:
            sides[1].learn(fake.value)
        fake_json = answer_json(fake, sides[1].labels, message=message)
        backend_json = answer_json(backend, sides[0].labels, message=message)
        if keys is not None and isinstance(fake_json, dict) and isinstance(backend_json, dict):
            wanted = set(keys)
            fake_json = {k: v for k, v in fake_json.items() if k in wanted}
            backend_json = {k: v for k, v in backend_json.items() if k in wanted}
        same, extra = _compare(fake_json, backend_json)
        exchange = Exchange(label, list(requests), fake_json, backend_json, same, extra)
        self.exchanges.append(exchange)
        if not same:
            raise Difference(
                f"the {self.backend_name} backend answers {label!r} differently from the fake "
                f"(in {', '.join(exchange.fields)})\n"
                f"  request: {'; '.join(requests) or '(none reached the fake)'}\n"
                f"  fake:    {json.dumps(fake_json, sort_keys=True)}\n"
                f"  backend: {json.dumps(backend_json, sort_keys=True)}"
            )
        return backend

    def upload(
        self, filename: str, content: bytes, mime_type: Optional[str] = "text/plain", **kwargs: Any
    ) -> Answer:
        """Upload through ``client.files.upload`` on both sides; fails the test if the backend refuses."""
        __tracebackhide__ = True
        part: tuple[Any, ...] = (filename, content) if mime_type is None else (filename, content, mime_type)
        answer = self.run(f"upload {filename}", lambda c: c.files.upload(file=part, **kwargs))
        if not answer.ok:
            raise AssertionError(f"the upload of {filename!r} failed: {describe(answer)}")
        return answer


def _call(call: Callable[..., Any], client: Any, args: list[Any]) -> Answer:
    try:
        return Answer(call(client, *args))
    except Exception as exc:  # the SDK's errors are answers, compared like values
        return Answer(error=exc)


async def _acall(call: Callable[..., Awaitable[Any]], client: Any, args: list[Any]) -> Answer:
    try:
        return Answer(await call(client, *args))
    except Exception as exc:
        return Answer(error=exc)
