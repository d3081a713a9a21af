"""The real openai + instructor code path, with HTTP mocked at the transport layer.

No network and no key: the client talks to http://testserver/v1, and each test scripts the chat
completion replies (tool calls, mode ``tools``) and then inspects the requests that were sent.

openai 3.x sends its requests through ``httpx2`` (a fork of httpx), which pytest-httpx does not
intercept, so the ``httpx_mock`` fixture below does what pytest-httpx does, one layer down: it
replaces ``httpx2.HTTPTransport.handle_request``. Everything above the socket (openai's client,
its error mapping, instructor's parsing, validation context and re-asks, our tenacity retries) is the
real code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest

from summarizer.analysis import analyse_document, build_party_index
from summarizer.backends.base import BackendError
from summarizer.backends.openai_backend import OpenAIBackend
from summarizer.documents import Document, load_document
from summarizer.extract import extract_document
from summarizer.models import DocumentExtraction

URL = "http://testserver/v1/chat/completions"


def backend(**kwargs: Any) -> OpenAIBackend:
    # backoff=0: transport retries do not wait in these tests (test_reliability checks the waits).
    options = {
        "model": "test",
        "base_url": "http://testserver/v1",
        "api_key": "k",
        "max_retries": 2,
        "backoff": 0,
    }
    return OpenAIBackend(**{**options, **kwargs})


def completion(arguments: dict | str, prompt_tokens: int = 100, completion_tokens: int = 20) -> dict:
    """A chat completion whose answer is a tool call to DocumentExtraction (instructor's TOOLS mode)."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "test",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {
                                "name": "DocumentExtraction",
                                "arguments": arguments
                                if isinstance(arguments, str)
                                else json.dumps(arguments),
                            },
                        }
                    ],
                },
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def extraction(sentence: int = 1) -> dict:
    return {
        "parties": [{"name": "Hamas", "role": "belligerent", "aliases": [], "sentences": [sentence]}],
        "claims": [
            {
                "speaker": "A Hamas official",
                "speaker_side": "Hamas",
                "statement": "No progress was made at the Cairo talks.",
                "sentences": [sentence],
            }
        ],
        "figures": [],
    }


@pytest.fixture
def document(seed_paths: list[Path]) -> Document:
    return next(load_document(p) for p in seed_paths if p.name.startswith("003_"))


def run_extract(document: Document, chosen: OpenAIBackend):
    index = build_party_index([document])
    return extract_document(document, analyse_document(document, index), index, chosen)


class TransportMock:
    """Scripted HTTP replies, consumed in order (a reusable one answers every later request)."""

    def __init__(self) -> None:
        self.responses: list[dict[str, Any]] = []
        self.requests: list[httpx2.Request] = []

    def add_response(
        self,
        *,
        url: str = URL,
        method: str = "POST",
        status_code: int = 200,
        json: Any = None,
        headers: dict[str, str] | None = None,
        is_reusable: bool = False,
    ) -> None:
        self.responses.append(
            {
                "url": url,
                "method": method,
                "status_code": status_code,
                "json": json,
                "headers": headers or {},
                "is_reusable": is_reusable,
                "used": False,
            }
        )

    def get_requests(self) -> list[httpx2.Request]:
        return list(self.requests)

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        self.requests.append(request)
        for response in self.responses:
            if str(request.url) != response["url"] or request.method != response["method"]:
                continue
            if response["used"] and not response["is_reusable"]:
                continue
            response["used"] = True
            return httpx2.Response(
                response["status_code"], json=response["json"], headers=response["headers"], request=request
            )
        raise AssertionError(f"unexpected request {request.method} {request.url}")


@pytest.fixture
def httpx_mock(monkeypatch: pytest.MonkeyPatch):
    mock = TransportMock()
    monkeypatch.setattr(httpx2.HTTPTransport, "handle_request", lambda _self, request: mock.handle(request))
    yield mock
    unused = [r for r in mock.responses if not r["used"]]
    assert not unused, f"scripted responses never requested: {unused}"


def sent_messages(request: httpx2.Request) -> list[dict]:
    return json.loads(request.content)["messages"]


def test_valid_tool_call_reply(httpx_mock, document: Document) -> None:
    httpx_mock.add_response(url=URL, method="POST", json=completion(extraction(), 1234, 56))
    result = run_extract(document, backend())
    assert isinstance(result.value, DocumentExtraction)
    assert result.value.claims[0].speaker == "A Hamas official"
    assert result.value.claims[0].sentences == [1]
    assert (result.usage.calls, result.usage.retries) == (1, 0)
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (1234, 56)
    (request,) = httpx_mock.get_requests()
    body = json.loads(request.content)
    assert body["model"] == "test"
    assert request.headers["authorization"] == "Bearer k"
    assert body["tools"][0]["function"]["name"] == "DocumentExtraction"
    user = sent_messages(request)[-1]["content"]
    assert "[1] A Hamas official said today no progress" in user
    assert "[19] (skip) READ: Nicaragua asks ICJ" in user


def test_invalid_citation_is_re_asked_with_the_error(httpx_mock, document: Document) -> None:
    httpx_mock.add_response(url=URL, method="POST", json=completion(extraction(sentence=999), 100, 20))
    httpx_mock.add_response(url=URL, method="POST", json=completion(extraction(), 150, 25))
    result = run_extract(document, backend())
    assert result.value.claims[0].sentences == [1]
    assert result.usage.calls == 2
    assert result.usage.retries == 1
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (250, 45)
    first, second = httpx_mock.get_requests()
    assert len(sent_messages(second)) > len(sent_messages(first))
    reask = json.dumps(sent_messages(second))
    assert "sentence [999] does not exist in this document" in reask
    assert "999" not in json.dumps(sent_messages(first))


def test_server_error_is_retried(httpx_mock, document: Document) -> None:
    httpx_mock.add_response(url=URL, method="POST", status_code=500, json={"error": {"message": "boom"}})
    httpx_mock.add_response(url=URL, method="POST", json=completion(extraction()))
    result = run_extract(document, backend())
    assert result.value.claims
    assert result.usage.retries == 1
    assert len(httpx_mock.get_requests()) == 2


def test_rate_limit_honours_retry_after(httpx_mock, document: Document) -> None:
    httpx_mock.add_response(
        url=URL,
        method="POST",
        status_code=429,
        headers={"Retry-After": "0"},
        json={"error": {"message": "slow down"}},
    )
    httpx_mock.add_response(url=URL, method="POST", json=completion(extraction()))
    result = run_extract(document, backend())
    assert result.value.claims and result.usage.retries == 1


def test_server_errors_give_up_after_max_retries(httpx_mock, document: Document) -> None:
    httpx_mock.add_response(
        url=URL, method="POST", status_code=503, json={"error": {"message": "down"}}, is_reusable=True
    )
    with pytest.raises(BackendError, match=r"server error 503.*gave up after 3 tries"):
        run_extract(document, backend(max_retries=2))
    assert len(httpx_mock.get_requests()) == 3


def test_always_invalid_raises_backend_error(httpx_mock, document: Document) -> None:
    httpx_mock.add_response(
        url=URL, method="POST", json=completion(extraction(sentence=999)), is_reusable=True
    )
    with pytest.raises(BackendError) as raised:
        run_extract(document, backend(max_reasks=2))
    message = str(raised.value)
    assert message.startswith("no valid answer after")
    assert "sentence [999] does not exist" in message
    assert "\n" not in message  # one line for the user
    assert len(httpx_mock.get_requests()) == 3  # the first try and two re-asks


def test_client_error_is_not_retried(httpx_mock, document: Document) -> None:
    httpx_mock.add_response(url=URL, method="POST", status_code=400, json={"error": {"message": "bad model"}})
    with pytest.raises(BackendError, match="400"):
        run_extract(document, backend())
    assert len(httpx_mock.get_requests()) == 1


def test_template_syntax_in_an_article_reaches_the_server_verbatim(httpx_mock, make_doc) -> None:
    document = make_doc(
        "The minister said {{ 7*7 }} and {% if x %}x{% endif %} are not templates. Officials agreed.\n",
        "005_braces.txt",
    )
    reply = {"parties": [], "claims": [], "figures": []}
    httpx_mock.add_response(url=URL, method="POST", json=completion(reply))
    run_extract(document, backend())
    (request,) = httpx_mock.get_requests()
    user = sent_messages(request)[-1]["content"]
    assert "The minister said {{ 7*7 }} and {% if x %}x{% endif %} are not templates." in user
    assert "said 49" not in user
    assert "{{ '{' }}" not in user
