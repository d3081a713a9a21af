"""Fetching pages for a brief against a real loopback web server (tests/web_server.py): redirects, a
404, a slow page, huge pages, a binary file, a feed, concurrency bounds, the user agent, and the
cache that lets a rerun work without the network."""

from __future__ import annotations

import socket
from pathlib import Path

from web_server import Route, serve

from summarizer.cache import ExtractionCache
from summarizer.documents import load_documents
from summarizer.inputs import Fetcher, InputError, InputKind
from summarizer.inputs.fetch import Page

PAGES = Path(__file__).resolve().parent / "data" / "pages"
PAGE = (PAGES / "gulf-courier.html").read_bytes()


def html(name: str) -> Route:
    return Route((PAGES / f"{name}.html").read_bytes(), "text/html; charset=utf-8")


def rss(links: list[str]) -> Route:
    items = "".join(
        f"<item><title>Item {i}</title><link>{link}</link></item>" for i, link in enumerate(links)
    )
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>World</title>{items}</channel></rss>'
    return Route(body.encode(), "application/rss+xml")


def fetch(fetcher: Fetcher, url: str) -> Page:
    page = fetcher.fetch(url)
    assert isinstance(page, Page), page
    return page


def failure(fetcher: Fetcher, url: str) -> str:
    result = fetcher.fetch(url)
    assert isinstance(result, InputError), result
    return str(result)


def test_a_page_is_fetched_with_a_polite_user_agent() -> None:
    with serve({"/a": html("gulf-courier")}) as server:
        page = fetch(Fetcher(), server.url("/a"))
    assert page.body == PAGE and page.kind == "html" and page.charset == "utf-8" and not page.from_store
    ((_, agent),) = server.requests
    assert agent.startswith("summarizer/") and "news brief" in agent


def test_redirects_are_followed_and_bounded() -> None:
    routes = {
        "/old": Route(status=301, headers={"Location": "/older"}),
        "/older": Route(status=302, headers={"Location": "/page"}),
        "/page": html("gulf-courier"),
        "/loop": Route(status=302, headers={"Location": "/loop"}),
    }
    with serve(routes) as server:
        fetcher = Fetcher(max_redirects=3)
        page = fetch(fetcher, server.url("/old"))
        assert page.url == server.url("/old") and page.final_url == server.url("/page")
        assert failure(fetcher, server.url("/loop")) == "more than 3 redirects"
        assert server.hits("/loop") == 4


def test_errors_say_why() -> None:
    routes = {
        "/gone": Route(b"<html>gone</html>", status=404),
        "/broken": Route(b"oops", status=500),
        "/image": Route(b"\x89PNG\r\n\x1a\n" + b"\0" * 1000, "image/png"),
        "/zip": Route(b"PK\x03\x04" + b"\0" * 100, "application/octet-stream"),
        "/data.xml": Route(b'<?xml version="1.0"?><sitemap/>', "application/xml"),
    }
    with serve(routes) as server:
        fetcher = Fetcher()
        assert failure(fetcher, server.url("/gone")) == "HTTP 404 Not Found"
        assert failure(fetcher, server.url("/broken")) == "HTTP 500 Internal Server Error"
        assert failure(fetcher, server.url("/image")) == "not an article page (it is image/png)"
        assert failure(fetcher, server.url("/zip")) == "not an article page (it is application/octet-stream)"
        assert failure(fetcher, server.url("/data.xml")) == "not an article page (it is application/xml)"
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    assert failure(Fetcher(), f"http://127.0.0.1:{port}/x").startswith("cannot fetch: ConnectError")
    assert failure(Fetcher(), "http://[::1/broken").startswith(("not a valid URL", "cannot fetch"))


def test_a_slow_page_times_out() -> None:
    with serve({"/slow": Route(PAGE, delay=3.0)}) as server:
        assert failure(Fetcher(timeout=0.3), server.url("/slow")) == "timed out (no answer within 0.3s)"


def test_huge_pages_are_refused_with_or_without_a_length() -> None:
    huge = b"<html><body>" + b"<p>word </p>" * 300_000 + b"</body></html>"  # 3.6 MB
    routes = {"/huge": Route(huge), "/streamed": Route(huge, chunked=True), "/liar": Route(huge, length=1000)}
    with serve(routes) as server:
        fetcher = Fetcher(max_bytes=1_000_000)
        assert failure(fetcher, server.url("/huge")) == f"larger than the 1 MB limit ({len(huge):,} bytes)"
        assert failure(fetcher, server.url("/streamed")) == "larger than the 1 MB limit"
        # a Content-Length that lies is not trusted: httpx reads only what it announced, a short page
        page = fetcher.fetch(server.url("/liar"))
        assert isinstance(page, InputError) or len(page.body) <= 1_000_000


def test_a_pdf_sent_as_octet_stream_is_a_pdf(tmp_path: Path) -> None:
    from pdf_fixture import make_pdf

    with serve({"/report": Route(make_pdf([["A report line."]]), "application/octet-stream")}) as server:
        assert fetch(Fetcher(), server.url("/report")).kind == "pdf"


def test_concurrency_is_bounded_per_site() -> None:
    routes = {f"/p{i}": Route(PAGE, delay=0.3) for i in range(8)}
    with serve(routes) as server:
        fetcher = Fetcher(concurrency=4, per_host=2)
        results = fetcher.fetch_all([server.url(f"/p{i}") for i in range(8)])
    assert all(isinstance(r, Page) for r in results.values())
    assert server.most_in_flight == 2
    assert list(results) == [server.url(f"/p{i}") for i in range(8)]  # in the order asked


def test_the_store_answers_a_rerun_without_the_network(tmp_path: Path) -> None:
    cache = ExtractionCache(tmp_path / "cache.sqlite3")
    with serve({"/a": html("gulf-courier"), "/feed": rss(["/a"])}) as server:
        first = fetch(Fetcher(cache), server.url("/a"))
        fetch(Fetcher(cache), server.url("/feed"))
        again = Fetcher(cache)
        assert fetch(again, server.url("/a")).from_store and server.hits("/a") == 1
        assert not fetch(again, server.url("/feed")).from_store and server.hits("/feed") == 2  # feeds: fresh
    offline = Fetcher(cache)
    stored = fetch(offline, server.url("/a"))
    assert stored.body == first.body and stored.final_url == first.final_url and stored.from_store
    feed = fetch(offline, server.url("/feed"))  # the network fails: the stored copy, said in a notice
    assert feed.from_store and feed.kind == "feed"
    assert (
        len(offline.notices) == 1
        and "cannot fetch" in offline.notices[0]
        and "using the copy fetched" in offline.notices[0]
    )
    cache.close()


def test_urls_load_as_documents_in_order_failures_listed(tmp_path: Path) -> None:
    routes = {
        "/levant": html("levant-monitor"),
        "/nile": html("nile-wire"),
        "/feed": rss(["/harbor", "/missing", "/nested-feed"]),
        "/harbor": html("harbor-times"),
        "/nested-feed": rss(["/levant"]),
        "/paywall": Route(
            b"<html><body><article><p>Subscribe to read this story.</p></article></body></html>"
        ),
        "/notes.txt": Route(b"The delegations met in Cairo on Sunday, officials said.\n", "text/plain"),
    }
    with serve(routes) as server:
        urls = [server.url(p) for p in ("/levant", "/paywall", "/feed", "/nile", "/notes.txt", "/levant")]
        loaded = load_documents(urls, fetcher=Fetcher())
    names = [(d.doc_id.removeprefix(server.base), d.label, d.kind, d.outlet) for d in loaded.documents]
    assert names == [
        ("/levant", "000", InputKind.web, "Levant Monitor"),
        ("/harbor", "001", InputKind.web, "Harbor Times"),  # the feed's entry, where the feed was given
        ("/nile", "002", InputKind.web, "Nile Wire"),
        ("/notes.txt", "003", InputKind.web, "127.0.0.1"),
    ]
    harbor = loaded.documents[1]
    # the page's own title, not the feed entry's "Item 0"
    assert harbor.title == "Hamas says 'nothing new' in Cairo talks as Egypt reports progress"
    assert harbor.url == "https://harbortimes.example/News/518822.aspx"  # its canonical URL
    failed = {path.removeprefix(server.base): reason for path, reason in loaded.failed}
    assert failed == {
        "/paywall": "no article text on the page (5 words): a paywall or cookie wall, or a page that needs "
        "JavaScript",
        "/missing": "HTTP 404 Not Found",
        "/nested-feed": "a feed, not an article page",
    }
    assert f"{server.url('/levant')}: given more than once; read once" in loaded.notices
    assert "web pages: 7 fetched, 0 from the cache" in loaded.notices  # 8 asked, a 404


def test_a_feed_file_s_links_are_fetched(tmp_path: Path) -> None:
    with serve({"/nile": html("nile-wire")}) as server:
        feed = tmp_path / "world.rss"
        feed.write_bytes(rss([server.url("/nile")]).body)
        loaded = load_documents([feed], fetcher=Fetcher())
    (document,) = loaded.documents
    assert document.doc_id == server.url("/nile") and document.outlet == "Nile Wire"


def test_extracted_text_round_trips_through_the_cache(tmp_path: Path) -> None:
    cache = ExtractionCache(tmp_path / "c.sqlite3")
    cache.put_texts({"abc": "text one"})
    cache.put_texts({"abc": "ignored: a sha256 names one text"})
    assert cache.get_text("abc") == "text one" and cache.get_text("nope") is None
    cache.put_page("u", "u2", "text/html", b"\x00body", 1.0)
    assert cache.get_page("u") == ("u2", "text/html", b"\x00body", 1.0)
    cache.close()
