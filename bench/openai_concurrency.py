"""Does the openai backend really extract documents concurrently? 50 generated articles go through the
real ``openai`` backend (openai client + instructor + tenacity) against a loopback OpenAI-compatible
stub that answers every request after a fixed delay (1.0 s), and the whole CLI command is timed.

With N documents, concurrency C and delay d the ideal is ceil(N / C) x d: 4 s for 50 documents at
concurrency 16. Target: under 6 s at concurrency 16.

    python bench/openai_concurrency.py                          # concurrency 16, 3 repeats
    python bench/openai_concurrency.py --concurrency 1 4 16     # the scaling table (1 is ~50 s a run)
    python bench/openai_concurrency.py --docs 100 --delay 0.5 --repeats 5

The stub is ``tests/openai_server.py`` (FaultServer, no faults) when it imports; else a minimal one
defined here. Timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------------------------------
# Synthetic articles
# ---------------------------------------------------------------------------------------------------

PARTIES = ["Hamas", "Israel", "Egypt", "Qatar", "the United States", "the United Nations"]
OUTLETS = ["Reuters", "Al Qahera News", "the state outlet", "AFP", "Axios"]
SPEAKERS = ["a senior official", "a spokesperson", "the foreign minister", "a diplomatic source"]
TOPICS = [
    "a ceasefire agreement was close",
    "the talks in Cairo had made progress",
    "the delegations would return within two days",
    "the prisoner exchange terms were still disputed",
    "aid deliveries to the north had increased",
    "no deal had been reached yet",
]
COUNTS = [
    ("people killed in Gaza", 33000, 34500),
    ("hostages still held", 120, 140),
    ("aid trucks entered", 150, 400),
    ("Palestinian prisoners to be released", 700, 900),
]


def article(number: int, rng: random.Random) -> str:
    day = 1 + number % 28
    lines = [f"date 2024-04-{day:02d}", ""]
    for _ in range(rng.randint(5, 8)):
        party, outlet, speaker = rng.choice(PARTIES), rng.choice(OUTLETS), rng.choice(SPEAKERS)
        quantity, low, high = rng.choice(COUNTS)
        value = f"{rng.randint(low, high):,}"
        sentences = [
            f"{speaker.capitalize()} from {party} said {rng.choice(TOPICS)}, {outlet} reported.",
            f"According to {outlet}, {value} {quantity}, the health ministry said.",
            f"{party} demanded a complete withdrawal and the return of displaced people, "
            f"{speaker} told {outlet}.",
        ]
        rng.shuffle(sentences)
        lines.append(" ".join(sentences[: rng.randint(2, 3)]))
        lines.append("")
    return "\n".join(lines)


def write_articles(folder: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    for number in range(count):
        (folder / f"{number:03d}_synthetic.txt").write_text(article(number, rng), encoding="utf-8")


# ---------------------------------------------------------------------------------------------------
# The stub server
# ---------------------------------------------------------------------------------------------------

_SENTENCE_LINE = re.compile(r"^\[(\d+)\](\s*\(skip\))?\s(.*)$", re.M)


def _minimal_reply(request: dict[str, Any]) -> dict[str, Any]:
    """A valid DocumentExtraction tool call citing the first citable sentence of the request."""
    user = next(
        (str(m.get("content", "")) for m in request.get("messages", []) if m.get("role") == "user"), ""
    )
    citable = [(int(m.group(1)), m.group(3)) for m in _SENTENCE_LINE.finditer(user) if m.group(2) is None]
    claims = [
        {"sentences": [sid], "speaker": "the article", "speaker_side": "unknown", "statement": text[:200]}
        for sid, text in citable[:2]
    ]
    arguments = json.dumps({"parties": [], "demands": [], "proposals": [], "claims": claims, "figures": []})
    tools = request.get("tools") or [{"function": {"name": "DocumentExtraction"}}]
    call = {
        "id": "call_0",
        "type": "function",
        "function": {"name": tools[0]["function"]["name"], "arguments": arguments},
    }
    return {
        "id": "chatcmpl-0",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "stub"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                "finish_reason": "tool_calls",
            }
        ],
        "usage": {
            "prompt_tokens": len(user.split()),
            "completion_tokens": len(arguments) // 4,
            "total_tokens": 0,
        },
    }


class _MinimalServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # 16+ clients connect at once; the default backlog of 5 drops SYNs
    delay = 1.0
    arrivals: list[float]


class _MinimalHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _MinimalServer

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        self.server.arrivals.append(time.monotonic())
        time.sleep(self.server.delay)
        payload = json.dumps(_minimal_reply(body)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@contextmanager
def stub_server(delay: float, prefer_shared: bool = True) -> Iterator[tuple[str, str, Any]]:
    """(base_url, which stub, callable returning the monotonic arrival times of all requests so far)."""
    if prefer_shared:
        try:
            sys.path.insert(0, str(ROOT / "tests"))
            from openai_server import FaultServer

            server = FaultServer(delay=delay).start()
        except Exception as error:  # absent or broken: fall back to the minimal stub
            print(
                f"tests/openai_server.py unusable ({type(error).__name__}: {error}); using the minimal stub"
            )
        else:
            try:
                yield (
                    server.url,
                    "tests/openai_server.py FaultServer",
                    lambda: [r.at for r in server.chat_requests],
                )
            finally:
                server.stop()
            return
    httpd = _MinimalServer(("127.0.0.1", 0), _MinimalHandler)
    httpd.delay = delay
    httpd.arrivals = []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield (
            f"http://127.0.0.1:{httpd.server_address[1]}/v1",
            "minimal stub (this script)",
            lambda: httpd.arrivals,
        )
    finally:
        httpd.shutdown()
        httpd.server_close()


# ---------------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------------


def summarizer_command() -> list[str]:
    # The package of this checkout (run from ROOT), not whichever one the venv's script points to:
    # with several worktrees sharing one venv, the script runs another checkout's code.
    return [sys.executable, "-m", "summarizer.cli"]


def run_brief(folder: Path, url: str, concurrency: int, out: Path) -> tuple[float, float, dict, int, str]:
    """(monotonic start, seconds, brief stats, exit code, stderr) of one CLI run."""
    json_path = out / "brief.json"
    json_path.unlink(missing_ok=True)
    command = [
        *summarizer_command(),
        "brief",
        str(folder),
        "--backend",
        "openai",
        "--base-url",
        url,
        "--model",
        "stub",
        "--concurrency",
        str(concurrency),
        "--no-cache",
        "-o",
        str(out / "brief.md"),
        "--json",
        str(json_path),
    ]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.monotonic() - started
    stats = json.loads(json_path.read_text(encoding="utf-8"))["stats"] if json_path.exists() else {}
    return started, elapsed, stats, done.returncode, done.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=50)
    parser.add_argument("--delay", type=float, default=1.0, help="Stub seconds per answer.")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16], help="One or more values.")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--minimal-stub", action="store_true", help="Do not use tests/openai_server.py.")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-openai-") as temp:
        folder, out = Path(temp) / "articles", Path(temp) / "out"
        folder.mkdir()
        out.mkdir()
        write_articles(folder, args.docs, args.seed)
        floors = []
        for _ in range(3):  # interpreter + the imports a run of the openai backend pays, once per run
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", "import summarizer.cli, openai, instructor"], check=True)
            floors.append(time.perf_counter() - started)
        with stub_server(args.delay, prefer_shared=not args.minimal_stub) as (url, which, arrivals):
            print(f"{args.docs} articles, stub: {which} at {url}, {args.delay:g} s per answer")
            for concurrency in args.concurrency:
                times, first, span, in_run, calls, codes = [], [], [], [], set(), set()
                for _ in range(args.repeats):
                    before = len(arrivals())
                    started, elapsed, stats, code, stderr = run_brief(folder, url, concurrency, out)
                    if not stats:
                        print(f"run failed (exit {code}):\n{stderr[-2000:]}", file=sys.stderr)
                        return 2
                    mine = arrivals()[before:]
                    times.append(elapsed)
                    first.append(min(mine) - started)
                    span.append(max(mine) - min(mine) + args.delay)  # first request sent to last answered
                    in_run.append(stats.get("wall_seconds", 0.0))
                    calls.add((stats.get("llm_calls"), len(mine), stats.get("retries")))
                    codes.add(code)
                ideal = math.ceil(args.docs / concurrency) * args.delay
                rows.append(
                    (
                        concurrency,
                        times,
                        statistics.median(first),
                        statistics.median(span),
                        statistics.median(in_run),
                        ideal,
                        calls,
                        codes,
                    )
                )

    print()
    print(
        f"{'conc':>5}{'median s':>10}{'min':>7}{'max':>7}{'to 1st req':>12}{'requests':>10}"
        f"{'in-run':>8}{'ideal':>7}{'median/ideal':>14}  llm_calls/requests/retries, exit"
    )
    for concurrency, times, first, span, in_run, ideal, calls, codes in rows:
        median = statistics.median(times)
        print(
            f"{concurrency:>5}{median:>10.2f}{min(times):>7.2f}{max(times):>7.2f}{first:>12.2f}{span:>10.2f}"
            f"{in_run:>8.2f}{ideal:>7.1f}{median / ideal:>14.2f}  {sorted(calls)}, {sorted(codes)}"
        )
    print(
        "\nmedian s: whole command; to 1st req: from launch to the stub's first request (start-up);"
        "\nrequests: first request sent to last answer (the concurrent part);"
        " ideal = ceil(docs/conc) x delay;"
        "\nin-run: the brief's stats.wall_seconds (run_brief only, after the backend is built)."
    )
    print(f"python + `import summarizer.cli, openai, instructor` floor: {statistics.median(floors):.2f} s")
    if len(rows) > 1:
        base = rows[0]
        for row in rows[1:]:
            speedup = statistics.median(base[1]) / statistics.median(row[1])
            print(
                f"speed-up concurrency {base[0]} -> {row[0]}: {speedup:.1f}x whole command, "
                f"{base[3] / row[3]:.1f}x requests phase (ideal {base[5] / row[5]:.1f}x)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
