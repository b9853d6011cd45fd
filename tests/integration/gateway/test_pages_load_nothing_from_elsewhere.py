"""Every HTML page the gateway serves works on an office network with no internet: it references no other
host, everything it references is served here, and its Content-Security-Policy allows no other origin.

The pages are found by walking the app's URL map (every GET route without parameters that answers
text/html), so a new page is checked without being listed; KNOWN_PAGES only guards against the walk
finding nothing."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from .conftest import GatewayKit

KNOWN_PAGES = {"/api/docs"}
FORWARDED = ("/api/roster", "/api/subsidy")  # the services' answers, not the gateway's pages
REFERENCING_ATTRIBUTES = {"src", "href", "action", "poster", "data", "formaction", "srcset", "content"}
CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)", re.IGNORECASE)
CSS_IMPORT = re.compile(r"@import\s+(['\"])([^'\"]+)\1", re.IGNORECASE)
ALLOWED_CSP_SOURCES = {"'self'", "'none'", "'unsafe-inline'", "data:"}


class References(HTMLParser):
    """What a page points at: attribute references, url() in inline styles, and inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.inline_scripts = 0
        self._in: str | None = None
        self._script_has_src = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "style":
                self.refs += [m.group(2) for m in CSS_URL.finditer(value)]
            elif name == "srcset":
                self.refs += [part.strip().split(" ")[0] for part in value.split(",") if part.strip()]
            elif name == "content" and tag == "meta":
                self.refs += [m.group(0) for m in re.finditer(r"(?:[a-z][a-z0-9+.-]*:)?//[^\s;,\"']+", value)]
            elif name in REFERENCING_ATTRIBUTES - {"content"}:
                self.refs.append(value)
        self._in = tag
        self._script_has_src = tag == "script" and any(name == "src" for name, _ in attrs)

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.refs += [m.group(2) for m in CSS_URL.finditer(data)] + [
                m.group(2) for m in CSS_IMPORT.finditer(data)
            ]
        elif self._in == "script" and not self._script_has_src and data.strip():
            self.inline_scripts += 1


def is_elsewhere(ref: str) -> bool:
    """A reference to another host: `scheme://host...` or protocol-relative `//host...`."""
    parts = urlsplit(ref.strip())
    return bool(parts.netloc) or ref.strip().startswith("//")


def local_target(page: str, ref: str) -> str | None:
    """The path a local reference asks this server for (None for data:, fragments and the like)."""
    ref = ref.strip()
    if not ref or ref.startswith("#") or urlsplit(ref).scheme in ("data", "mailto", "javascript", "about"):
        return None
    return urlsplit(urljoin(page, ref)).path


def served_pages(gw: GatewayKit, headers: dict[str, str]) -> dict[str, str]:
    """Every GET route without parameters that answers text/html, with its body."""
    pages = {}
    for rule in gw.app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.arguments or rule.rule.startswith(FORWARDED):
            continue
        response = gw.client.get(rule.rule, headers=headers)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages[rule.rule] = response.get_data(as_text=True)
    return pages


def csp_sources(policy: str) -> set[str]:
    sources: set[str] = set()
    for directive in filter(None, (d.strip() for d in policy.split(";"))):
        sources.update(directive.split()[1:])
    return sources


def test_no_page_loads_anything_from_another_host_and_everything_it_loads_is_served(gw: GatewayKit) -> None:
    headers = gw.auth("admin")
    pages = served_pages(gw, headers)
    assert set(pages) >= KNOWN_PAGES, f"the walk missed pages: {KNOWN_PAGES - set(pages)}"
    problems: list[str] = []
    for path, html in pages.items():
        parser = References()
        parser.feed(html)
        if parser.inline_scripts:
            problems.append(f"{path}: {parser.inline_scripts} inline script(s), which its policy must refuse")
        for ref in parser.refs:
            if is_elsewhere(ref):
                problems.append(f"{path} references another host: {ref}")
                continue
            target = local_target(path, ref)
            if target is None:
                continue
            asset = gw.client.get(target, headers=headers)
            if asset.status_code != 200:
                problems.append(f"{path} references {ref}, which answers {asset.status_code}")
            elif asset.mimetype == "text/css":
                css = asset.get_data(as_text=True)
                for found in [m.group(2) for m in CSS_URL.finditer(css)] + [
                    m.group(2) for m in CSS_IMPORT.finditer(css)
                ]:
                    if is_elsewhere(found):
                        problems.append(f"{target} (from {path}) references another host: {found}")
    assert not problems, "\n".join(problems)


def test_every_page_has_a_content_security_policy_that_allows_no_other_origin(gw: GatewayKit) -> None:
    headers = gw.auth("admin")
    pages = served_pages(gw, headers)
    assert set(pages) >= KNOWN_PAGES
    for path in pages:
        policy = gw.client.get(path, headers=headers).headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in policy, f"{path} sends no default-src 'self' policy: {policy!r}"
        assert "script-src 'self'" in policy or "script-src" not in policy, policy
        others = csp_sources(policy) - ALLOWED_CSP_SOURCES
        assert not others, f"{path}'s policy allows other origins: {others}"


def test_the_reference_check_catches_a_page_from_a_cdn() -> None:
    """Positive control: the checks above would see today's kind of page."""
    parser = References()
    parser.feed(
        '<link rel="stylesheet" href="https://cdn.example/ui.css"><script src="//cdn.example/ui.js">'
        '</script><div style="background: url(//img.example/a.png)"></div><script>go()</script>'
        '<a href="/api/openapi.json">doc</a><img src="data:image/png;base64,AA">'
    )
    assert [ref for ref in parser.refs if is_elsewhere(ref)] == [
        "https://cdn.example/ui.css",
        "//cdn.example/ui.js",
        "//img.example/a.png",
    ]
    assert parser.inline_scripts == 1
    assert local_target("/api/docs", "/api/openapi.json") == "/api/openapi.json"
    assert local_target("/api/docs", "data:image/png;base64,AA") is None
    assert csp_sources("default-src 'self'; img-src 'self' https://cdn.example") == {
        "'self'",
        "https://cdn.example",
    }
