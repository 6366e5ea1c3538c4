"""A stand-in for NCBI E-utilities on 127.0.0.1: test infrastructure, not a PubMed clone.

`StandInEutils` answers `esearch.fcgi` (JSON), `efetch.fcgi` (XML, GET or POST) and
`ecitmatch.cgi` (plain text) from the records in `tests/fixtures/pubmed/`, records every
request, can enforce NCBI's rate limit, and misbehaves on demand the way NCBI does (see
`Fault`; `endpoint` is "esearch", "efetch" or "ecitmatch").

Citation matching (`ecitmatch.cgi?bdata=journal|year|volume|first page|author|key|…`, lines
separated by carriage returns): a record fits when its journal (full title, ISO abbreviation
or MedlineTA, as `[ta]` compares them), print or electronic year, volume and first page are
the line's; the author is ignored, as ECitMatch mostly ignores it. Each line comes back with
the PMID, `AMBIGUOUS` (several fit), `NOT_FOUND;INVALID_JOURNAL` (no record has the journal)
or nothing (no record fits) appended.

Search (`esearch.fcgi?term=…`), deliberately simple:

* Terms are joined by `AND`, `OR`, `NOT` (upper case, as in PubMed) and grouped with
  parentheses; like PubMed, operators are applied left to right with no precedence. Terms next
  to each other without an operator are ANDed.
* A term is a word, a run of words or a `"quoted phrase"`, optionally followed by a field tag.
  Matching folds case and diacritics and ignores punctuation:
  - `[pmid]`/`[uid]`: the PMID. `[doi]`/`[aid]`/`[lid]`: the DOI (case-insensitive).
  - `[ta]`/`[journal]`/`[jour]`/`[issn]`: the whole journal name equals its full title, ISO
    abbreviation or MedlineTA (`&` = "and", a leading "The" ignored), or an ISSN.
    A journal no record has is reported in `phrasesnotfound` and dropped from the query,
    as PubMed does with phrases it does not know.
  - `[jid]`: NLM Unique ID. `[vi]`, `[ip]`, `[pg]` (first page): volume, issue, page.
  - `[dp]`: `2017`, `2017/02`, or a range `2016:2017`; matches the print or electronic date.
  - `[au]`: "Last" or "Last Initials" (initials as a prefix) of any author; `[1au]` the first
    author only, `[lastau]` the last one.
  - `[ti]`, `[tiab]`: the words in order in the title (and abstract); `word*` is a prefix.
  - `[pt]`: a publication type. Untagged: the words anywhere in title, abstract, authors or
    journal. An unknown tag is listed in `fieldsnotfound` and searched like an untagged term.
* Hits are sorted by PMID, newest (largest) first (or by `rank(term, pmid)` when set, to play
  a relevance order that depends on the query); `retmax` (default 20) and `retstart` apply.

Records beyond the fixtures can be added with `StandInEutils(..., extra_records=[xml, …])` or
`add_records([xml, …])`: each a `<PubmedArticle>` element as EFetch returns it.
"""

from __future__ import annotations

import enum
import functools
import gzip
import json
import re
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from factcheck.models import Paper, PubDate
from factcheck.pubmed.parse import parse_efetch

FIXTURES = Path(__file__).parent / "fixtures" / "pubmed"
BASE_PATH = "/entrez/eutils/"

XML_HEAD = (
    '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
    '1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)
RATE_LIMIT_BODY = {"error": "API rate limit exceeded", "api-key": "127.0.0.1"}
HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>NCBI - Maintenance</title></head>"
    "<body><h1>This service is temporarily down for maintenance.</h1></body></html>"
)
ERROR_ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eFetchResult PUBLIC "-//NLM//DTD efetch '
    '//EN" "https://eutils.example/dtd/efetch.dtd">\n<eFetchResult>\n\t<ERROR>Error: External '
    "viewer error: Empty Response. Bytes read: 0 Status: Timeout</ERROR>\n</eFetchResult>\n"
)
PROXY_ENVELOPE = (
    "<eFetchResult><ERROR>proxy_stream(): Failed to connect to PubOne service</ERROR>"
    "</eFetchResult>"
)
BAD_IDS_ENVELOPE = (
    "<eFetchResult><ERROR>ID list is empty! Possibly it has no correct IDs.</ERROR></eFetchResult>"
)
_ENTITY_PAIRS = list(zip("abcdefgh", "bcdefghi", strict=True))
BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [\n <!ENTITY a "lol">\n'
    + "".join(f' <!ENTITY {n} "{("&" + p + ";") * 10}">\n' for p, n in _ENTITY_PAIRS)
    + "]>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
    "<ArticleTitle>&i;</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
    "</PubmedArticleSet>\n"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [\n'
    ' <!ENTITY x SYSTEM "file:///etc/passwd">\n]>\n'
    "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
    "<ArticleTitle>&x;</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
    "</PubmedArticleSet>\n"
)


class Fault(str, enum.Enum):
    """Ways the stand-in can misbehave (`StandInEutils.misbehave`)."""

    RATE_LIMITED = "429"  # 429 with NCBI's JSON body (and Retry-After if asked)
    SERVER_ERROR = "500"
    BAD_GATEWAY = "502"
    UNAVAILABLE = "503"
    HANG = "hang"  # answer normally, but only after `hang_seconds`
    HTML = "html"  # 200 with an HTML maintenance page
    ERROR_ENVELOPE = "error_envelope"  # 200 with <eFetchResult><ERROR>…Timeout</ERROR>
    PROXY_400 = "proxy_400"  # 400 with an <ERROR> envelope of a backend failure (transient)
    BAD_IDS_400 = "bad_ids_400"  # 400 "ID list is empty!": a real input error
    ESEARCH_ERROR = "esearch_error"  # 200 JSON {"esearchresult": {"ERROR": …}}
    JSON_ERROR = "json_error"  # 200 JSON {"error": …} (top level)
    TRUNCATED = "truncated"  # 200, the normal answer cut in half
    BOMB = "bomb"  # 200, an XML entity bomb ("billion laughs")
    EXTERNAL_ENTITY = "external_entity"  # 200, XML with <!ENTITY x SYSTEM "file:///etc/passwd">
    HUGE = "huge"  # 200, a 50 MB answer, streamed (chunked, no Content-Length)
    ENDLESS = "endless"  # 200, an answer that never ends: a few bytes every 20 ms, forever
    GZIP_BOMB = "gzip_bomb"  # 200, Content-Encoding: gzip; 100 kB that inflate to 100 MB
    BAD_UTF8 = "bad_utf8"  # 200, the answer's shape with bytes that are not UTF-8
    HOSTILE_400 = "hostile_400"  # 400 whose text holds terminal escapes, markup and newlines


@dataclass
class Recorded:
    """One request the stand-in received (recorded on arrival; `status` set once answered)."""

    endpoint: str  # "esearch", "efetch", or the path after the base path
    method: str
    params: dict[str, str]  # query string and form body merged (first value of each)
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival
    status: int = 0
    raw: str = ""  # the query string and body as sent (still percent-encoded)


@dataclass
class _Misbehaviour:
    fault: Fault
    remaining: int | None  # None: until `behave()`
    endpoint: str | None
    retry_after: float | None


@dataclass(frozen=True)
class _Record:
    paper: Paper
    xml: str


class StandInEutils:
    """An E-utilities stand-in served by a (threaded) pytest-httpserver `HTTPServer`."""

    def __init__(
        self,
        server: HTTPServer,
        fixtures: Path = FIXTURES,
        *,
        limit_per_second: int | None = None,
        hang_seconds: float = 3.0,
        extra_records: Iterable[str] = (),
        rank: Callable[[str, str], object] | None = None,
    ) -> None:
        """Serve the records of `fixtures` (and `extra_records`) on `server` (replacing its
        handlers). `rank(term, pmid)`, when given, is the sort key of a search's hits."""
        self.server = server
        self.limit_per_second = limit_per_second
        self.hang_seconds = hang_seconds
        self.requests: list[Recorded] = []
        self.throttled = 0  # answers 429 because `limit_per_second` was exceeded
        self.records = load_records(fixtures)
        self.rank = rank
        self.add_records(extra_records)
        self._misbehaviours: list[_Misbehaviour] = []
        self._recent: deque[float] = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()
        server.clear()
        server.expect_request(re.compile(".*")).respond_with_handler(self._handle)

    # --- control -----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The E-utilities base URL, ending in `/` (like the real one)."""
        return self.server.url_for(BASE_PATH)

    def misbehave(
        self,
        fault: Fault | str,
        times: int | None = 1,
        *,
        endpoint: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Answer the next `times` requests (None: all, until `behave()`) with `fault`.

        `endpoint` ("esearch"/"efetch") limits it to one utility; `retry_after` adds a
        Retry-After header to 429 answers. Calls queue up: the first still active applies.
        """
        with self._lock:
            self._misbehaviours.append(_Misbehaviour(Fault(fault), times, endpoint, retry_after))

    def behave(self) -> None:
        """Forget every pending misbehaviour."""
        with self._lock:
            self._misbehaviours.clear()

    def go_down(self) -> None:
        """Stop the server: connections are refused until the next test restarts it."""
        self._release.set()
        if self.server.is_running():
            self.server.stop()

    def close(self) -> None:
        """End of test: release hanging answers and surface errors raised in the handler."""
        self._release.set()
        self.server.check_handler_errors()

    def add_records(self, xml_records: Iterable[str]) -> None:
        """Serve more records: each a `<PubmedArticle>` element (replacing any same PMID)."""
        for xml in xml_records:
            record = _parse_record(xml.strip() + "\n")
            self.records[record.paper.pmid] = record

    # --- counters ----------------------------------------------------------------------

    def count(self, endpoint: str | None = None, *, method: str | None = None) -> int:
        """Requests received (of one endpoint and/or HTTP method)."""
        return len(self.received(endpoint, method=method))

    def received(self, endpoint: str | None = None, *, method: str | None = None) -> list[Recorded]:
        """The requests received, oldest first (of one endpoint and/or HTTP method)."""
        with self._lock:
            return [
                r
                for r in self.requests
                if (endpoint is None or r.endpoint == endpoint)
                and (method is None or r.method == method)
            ]

    # --- serving -----------------------------------------------------------------------

    def _handle(self, request: Request) -> Response:
        endpoint = request.path.removeprefix(BASE_PATH).removesuffix(".fcgi").removesuffix(".cgi")
        body = request.get_data(cache=True, as_text=True)  # kept for `request.form` to parse
        params = {**request.args.to_dict(), **request.form.to_dict()}
        raw = request.query_string.decode("latin-1") + body
        headers = dict(request.headers)
        record = Recorded(endpoint, request.method, params, headers, time.monotonic(), raw=raw)
        with self._lock:
            self.requests.append(record)
        response = self._respond(endpoint, params, record.at)
        record.status = response.status_code
        return response

    def _respond(self, endpoint: str, params: dict[str, str], arrived: float) -> Response:
        over = self._over_limit(arrived)
        if over:
            return self._rate_limited(over, None)
        misbehaviour = self._next_misbehaviour(endpoint)
        if misbehaviour is not None:
            fault = misbehaviour.fault
            if fault is Fault.HANG:
                self._release.wait(self.hang_seconds)
            elif fault is Fault.RATE_LIMITED:
                return self._rate_limited(self.limit_per_second or 3, misbehaviour.retry_after)
            elif fault in _HOSTILE:
                return _hostile_response(fault, endpoint, self._release)
            elif fault is not Fault.TRUNCATED:
                return _fault_response(fault)
        response = self._serve(endpoint, params)
        if misbehaviour is not None and misbehaviour.fault is Fault.TRUNCATED:
            body = response.get_data()
            response.set_data(body[: len(body) // 2])
        return response

    def _over_limit(self, now: float) -> int:
        """Requests in the last second (this one included) when over the limit, else 0."""
        with self._lock:
            self._recent.append(now)
            while self._recent and now - self._recent[0] >= 1.0:
                self._recent.popleft()
            if self.limit_per_second is None or len(self._recent) <= self.limit_per_second:
                return 0
            self.throttled += 1
            return len(self._recent)

    def _rate_limited(self, count: int, retry_after: float | None) -> Response:
        limit = self.limit_per_second or 3
        body = {**RATE_LIMIT_BODY, "count": str(count), "limit": str(limit)}
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        return Response(json.dumps(body), 429, headers, content_type="application/json")

    def _next_misbehaviour(self, endpoint: str) -> _Misbehaviour | None:
        with self._lock:
            for item in self._misbehaviours:
                if item.endpoint not in (None, endpoint):
                    continue
                if item.remaining is not None:
                    item.remaining -= 1
                    if item.remaining <= 0:
                        self._misbehaviours.remove(item)
                return item
        return None

    def _serve(self, endpoint: str, params: dict[str, str]) -> Response:
        if params.get("db", "pubmed") != "pubmed":
            return _json({"error": f"Invalid db name specified: {params['db']}"})
        if endpoint == "esearch":
            return _json(self._esearch(params))
        if endpoint == "efetch":
            return self._efetch(params)
        if endpoint == "ecitmatch":
            return self._ecitmatch(params)
        return Response("Not Found", 404, content_type="text/plain")

    def _esearch(self, params: Mapping[str, str]) -> dict[str, object]:
        term = params.get("term", "").strip()
        if not term:
            return {"esearchresult": {"ERROR": "Empty term and query_key - nothing todo"}}
        try:
            search = _Search(self.records.values())
            hits = search.run(term)
        except SyntaxError as exc:
            return {"esearchresult": {"ERROR": f"Invalid query: {exc}"}}
        start, retmax = int(params.get("retstart", 0)), int(params.get("retmax", 20))
        rank = self.rank
        if rank is None:
            ids = sorted(hits, key=int, reverse=True)
        else:
            ids = sorted(hits, key=lambda pmid: (rank(term, pmid), pmid))
        result: dict[str, object] = {
            "count": str(len(ids)),
            "retmax": str(len(ids[start : start + retmax])),
            "retstart": str(start),
            "idlist": ids[start : start + retmax],
            "translationset": [],
            "querytranslation": term,
        }
        if search.phrases_not_found or search.fields_not_found:
            result["errorlist"] = {
                "phrasesnotfound": search.phrases_not_found,
                "fieldsnotfound": search.fields_not_found,
            }
        return {"header": {"type": "esearch", "version": "0.3"}, "esearchresult": result}

    def _efetch(self, params: Mapping[str, str]) -> Response:
        ids = [i.strip() for i in params.get("id", "").split(",") if i.strip()]
        if not ids:
            return Response("Supplied id parameter is empty.", 200, content_type="text/plain")
        found = [self.records[i].xml for i in ids if i in self.records]
        body = XML_HEAD + "<PubmedArticleSet>\n" + "".join(found) + "</PubmedArticleSet>\n"
        return Response(body, 200, content_type="text/xml; charset=UTF-8")

    def _ecitmatch(self, params: Mapping[str, str]) -> Response:
        lines = [line for line in re.split(r"[\r\n]+", params.get("bdata", "")) if line.strip()]
        answers = [self._citation(line) for line in lines]
        return Response("\n".join(answers) + "\n", 200, content_type="text/plain; charset=UTF-8")

    def _citation(self, line: str) -> str:
        """One bdata line answered: its fields, then the PMID or why there is none."""
        fields = line.split("|")
        journal, year, volume, page = [*fields, "", "", "", ""][:4]
        key = fields[5] if len(fields) > 5 else ""
        echoed = "|".join((*fields[:5], key))
        names = {_journal_key(n) for r in self.records.values() for n in _journal_names(r.paper)}
        if _journal_key(journal) not in names:
            return f"{echoed}|NOT_FOUND;INVALID_JOURNAL"
        fit = [
            r.paper.pmid
            for r in self.records.values()
            if _cited_at(r.paper, journal, year, volume, page)
        ]
        return f"{echoed}|{fit[0] if len(fit) == 1 else 'AMBIGUOUS' if fit else ''}"


def _journal_names(paper: Paper) -> list[str]:
    return [n for n in (paper.journal_title, paper.journal_iso, paper.journal_medline_ta) if n]


def _cited_at(paper: Paper, journal: str, year: str, volume: str, page: str) -> bool:
    """`paper` is in `journal`, of `year`, at `volume` and first page `page`."""
    years = {str(d.year) for d in (paper.print_date, paper.electronic_date) if d and d.year}
    first = re.split(r"[-,]", paper.pages)[0].strip().casefold()
    return (
        _journal_key(journal) in {_journal_key(n) for n in _journal_names(paper)}
        and year.strip() in years
        and volume.strip().casefold() == paper.volume.casefold()
        and bool(first)
        and page.strip().casefold() == first
    )


def load_records(fixtures: Path = FIXTURES) -> dict[str, _Record]:
    """The fixture records by PMID, each parsed with factcheck's own parser."""
    records = {}
    for path in sorted(fixtures.glob("*.xml")):
        record = _parse_record(path.read_text(encoding="utf-8").strip() + "\n")
        records[record.paper.pmid] = record
    return records


def _parse_record(xml: str) -> _Record:
    papers = parse_efetch(f"<PubmedArticleSet>{xml}</PubmedArticleSet>".encode())
    (paper,) = papers.values()
    return _Record(paper, xml)


def _json(data: Mapping[str, object]) -> Response:
    return Response(json.dumps(data), 200, content_type="application/json; charset=UTF-8")


def _fault_response(fault: Fault) -> Response:
    xml, text = "text/xml; charset=UTF-8", "text/html; charset=UTF-8"
    answers: dict[Fault, tuple[str, int, str]] = {
        Fault.SERVER_ERROR: ("<html><body>Internal Server Error</body></html>", 500, text),
        Fault.BAD_GATEWAY: ("<html><body><h1>502 Bad Gateway</h1></body></html>", 502, text),
        Fault.UNAVAILABLE: ("<html><body>Service Unavailable</body></html>", 503, text),
        Fault.HTML: (HTML_PAGE, 200, text),
        Fault.ERROR_ENVELOPE: (ERROR_ENVELOPE, 200, xml),
        Fault.PROXY_400: (PROXY_ENVELOPE, 400, xml),
        Fault.BAD_IDS_400: (BAD_IDS_ENVELOPE, 400, xml),
        Fault.ESEARCH_ERROR: (
            json.dumps({"esearchresult": {"ERROR": "Search Backend failed: Unable to connect"}}),
            200,
            "application/json",
        ),
        Fault.JSON_ERROR: (json.dumps({"error": "Backend failure"}), 200, "application/json"),
        Fault.BOMB: (BOMB, 200, xml),
        Fault.EXTERNAL_ENTITY: (EXTERNAL_ENTITY, 200, xml),
    }
    body, status, content_type = answers[fault]
    return Response(body, status, content_type=content_type)


# --- hostile answers ------------------------------------------------------------------------

_HOSTILE = {Fault.HUGE, Fault.ENDLESS, Fault.GZIP_BOMB, Fault.BAD_UTF8, Fault.HOSTILE_400}
HUGE_BYTES = 50 * 1024 * 1024
INFLATED_BYTES = 100 * 1024 * 1024
HOSTILE_TEXT = (
    "\x9b2J\u202eBad: \x1b[2J\x1b[31mRED\x1b]8;;http://evil.example\x07link\x1b]8;;\x07 \rOVER"
    " [bold red]m[/bold red] <script>x</script> | a | b |\n## injected\n::error file=x::y"
)
"""What HOSTILE_400 answers: a renderer must show all of it as inert text."""
_XML_OPEN = b'<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n'


def _hostile_response(fault: Fault, endpoint: str, release: threading.Event) -> Response:
    xml = "text/xml; charset=UTF-8"
    if fault is Fault.HUGE:
        return Response(_huge_body(), 200, content_type=xml)
    if fault is Fault.ENDLESS:
        return Response(_endless_body(release), 200, content_type=xml)
    if fault is Fault.GZIP_BOMB:
        headers = {"Content-Encoding": "gzip"}
        return Response(_gzip_bomb(), 200, headers, content_type=xml)
    if fault is Fault.BAD_UTF8:
        if endpoint == "esearch":
            body = b'{"esearchresult": {"count": "1", "idlist": ["\xff\xfe"]}}'
            return Response(body, 200, content_type="application/json; charset=UTF-8")
        body = _XML_OPEN + b"<PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        body += b"<ArticleTitle>caf\xe9 \xff\xfe \xc3(</ArticleTitle></Article></MedlineCitation>"
        return Response(body + b"</PubmedArticle></PubmedArticleSet>\n", 200, content_type=xml)
    return Response(HOSTILE_TEXT, 400, content_type="text/plain; charset=UTF-8")


def _huge_body() -> Iterable[bytes]:
    yield _XML_OPEN
    chunk = b" " * (1024 * 1024)
    for _ in range(HUGE_BYTES // len(chunk)):
        yield chunk
    yield b"</PubmedArticleSet>\n"


def _endless_body(release: threading.Event) -> Iterable[bytes]:
    yield _XML_OPEN
    while not release.wait(0.02):  # until the client hangs up or the test ends
        yield b"<!-- more -->\n"


@functools.cache
def _gzip_bomb() -> bytes:
    inflated = _XML_OPEN + b" " * INFLATED_BYTES + b"</PubmedArticleSet>\n"
    return gzip.compress(inflated, compresslevel=9)


# --- the search matcher ---------------------------------------------------------------------

_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)"|([^\s()\[\]"]+))(\[[^\]]*\])?')
_OPERATORS = {"AND", "OR", "NOT"}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", _fold(text))


@functools.cache
def _text_words(text: str) -> tuple[str, ...]:
    """`_words` of a record's text, remembered (records are searched again and again)."""
    return tuple(_words(text))


@functools.cache
def _journal_key(name: str) -> str:
    words = _words(name.replace("&", " and "))
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def _query_words(text: str) -> list[str]:
    """The words of a search term; a word written with a trailing * keeps it (a prefix)."""
    words: list[str] = []
    for chunk in text.split():
        found = _words(chunk)
        if found and chunk.endswith("*"):
            found[-1] += "*"
        words += found
    return words


def _has_phrase(haystack: Sequence[str], phrase: list[str]) -> bool:
    """`phrase` appears in order in `haystack` (a word ending in * is a prefix)."""
    size = len(phrase)
    if isinstance(haystack, tuple) and not _may_have(haystack, phrase):
        return False  # a quick no for remembered texts (`_text_words`)
    return size > 0 and any(
        all(_word_matches(w, want) for w, want in zip(haystack[i : i + size], phrase, strict=True))
        for i in range(len(haystack) - size + 1)
    )


def _may_have(haystack: tuple[str, ...], phrase: list[str]) -> bool:
    """False when a word of `phrase` cannot be in `haystack` (a substring test on its text)."""
    text = _spaced(haystack)
    return all(" " + want.removesuffix("*") in text for want in phrase)


@functools.cache
def _spaced(words: tuple[str, ...]) -> str:
    return " " + " ".join(words) + " "


def _has_words(haystack: Sequence[str], wanted: list[str]) -> bool:
    """Every wanted word appears somewhere in `haystack` (a word ending in * is a prefix)."""
    present = set(haystack)
    return bool(wanted) and all(
        any(_word_matches(w, want) for w in present) if want.endswith("*") else want in present
        for want in wanted
    )


def _word_matches(word: str, wanted: str) -> bool:
    return word.startswith(wanted[:-1]) if wanted.endswith("*") else word == wanted


def _date_matches(value: str, dates: Iterable[PubDate | None]) -> bool:
    low, _, high = value.partition(":")
    bounds = [_date_bound(low), _date_bound(high or low)]
    for date in dates:
        if date is None or date.year is None:
            continue
        year_month = (date.year, date.month or 0)
        lo, hi = bounds
        if lo[1] == 0 and hi[1] == 0:
            if lo[0] <= date.year <= hi[0]:
                return True
        elif lo <= year_month <= (hi[0], hi[1] or 12):
            return True
    return False


def _date_bound(text: str) -> tuple[int, int]:
    parts = [int(p) for p in re.findall(r"\d+", text)[:2]]
    if not parts:
        raise SyntaxError(f"bad date {text!r}")
    return parts[0], parts[1] if len(parts) > 1 else 0


def _author_matches(value: str, paper: Paper, which: str) -> bool:
    authors = list(paper.authors)
    if which == "1au":
        authors = authors[:1]
    elif which == "lastau":
        authors = authors[-1:]
    words = _words(value)
    if not words:
        return False
    last, initials = " ".join(words[:-1]), words[-1]
    for author in authors:
        name = " ".join(_words(author.last))
        if name == " ".join(words):
            return True
        if len(words) > 1 and name == last and _fold(author.initials).startswith(initials):
            return True
    return False


_Tokens = list[tuple[str, str]]


class _Search:
    """Evaluates one query over the records (see the module docstring)."""

    def __init__(self, records: Iterable[_Record]) -> None:
        self.papers = [r.paper for r in records]
        self.phrases_not_found: list[str] = []
        self.fields_not_found: list[str] = []
        self.issns = {issn for p in self.papers for issn in p.issns}
        self.journals = {
            _journal_key(name)
            for p in self.papers
            for name in (p.journal_title, p.journal_iso, p.journal_medline_ta)
            if name
        }

    def run(self, term: str) -> set[str]:
        """The PMIDs matching `term`."""
        tokens = self._tokens(term)
        hits, rest = self._expression(tokens)
        if rest:
            raise SyntaxError(f"unexpected {rest[0]!r}")
        return hits if hits is not None else set()

    def _tokens(self, term: str) -> _Tokens:
        """(kind, value) pairs: ("(", ""), (")", ""), ("op", "AND"), ("term", "text|tag")."""
        tokens: _Tokens = []
        words: list[str] = []
        for match in _TOKEN.finditer(term):
            opened, closed, quoted, word, tag = match.groups()
            if word in _OPERATORS or opened or closed:
                self._flush(tokens, words, "")
                tokens.append(("op", word) if word else (opened or closed, ""))
                continue
            words.append(quoted if quoted is not None else word)
            if tag or quoted is not None:
                self._flush(tokens, words, (tag or "")[1:-1].strip().lower())
        self._flush(tokens, words, "")
        return tokens

    @staticmethod
    def _flush(tokens: _Tokens, words: list[str], tag: str) -> None:
        if words:
            if tokens and tokens[-1][0] in ("term", ")"):
                tokens.append(("op", "AND"))
            tokens.append(("term", " ".join(words) + "|" + tag))
            words.clear()

    def _expression(self, tokens: _Tokens) -> tuple[set[str] | None, _Tokens]:
        hits, tokens = self._operand(tokens)
        while tokens and tokens[0][0] == "op":
            operator = tokens[0][1]
            right, tokens = self._operand(tokens[1:])
            hits = _combine(hits, operator, right)
        return hits, tokens

    def _operand(self, tokens: _Tokens) -> tuple[set[str] | None, _Tokens]:
        if not tokens:
            raise SyntaxError("missing term")
        kind, value = tokens[0]
        if kind == "(":
            hits, rest = self._expression(tokens[1:])
            if not rest or rest[0][0] != ")":
                raise SyntaxError("missing )")
            return hits, rest[1:]
        if kind != "term":
            raise SyntaxError(f"unexpected {value or kind!r}")
        text, _, tag = value.rpartition("|")
        return self._term(text, tag), tokens[1:]

    def _term(self, text: str, tag: str) -> set[str] | None:
        """PMIDs matching one term; None when PubMed would drop it (unknown journal)."""
        if tag in ("ta", "journal", "jour", "issn") and not self._known_journal(text):
            self.phrases_not_found.append(text)
            return None
        matcher = self._matcher(text, tag)
        return {p.pmid for p in self.papers if matcher(p)}

    def _known_journal(self, text: str) -> bool:
        return _journal_key(text) in self.journals or text.strip().upper() in self.issns

    def _matcher(self, text: str, tag: str) -> Callable[[Paper], bool]:
        words = _query_words(text)
        if tag in ("pmid", "uid"):
            return lambda p: p.pmid == text.strip()
        if tag in ("doi", "aid", "lid"):
            return lambda p: (p.doi or "").casefold() == text.strip().casefold()
        if tag in ("ta", "journal", "jour", "issn"):
            key = _journal_key(text)
            return lambda p: (
                key
                in {_journal_key(n) for n in (p.journal_title, p.journal_iso, p.journal_medline_ta)}
                or text.strip().upper() in p.issns
            )
        if tag == "dp":
            return lambda p: _date_matches(text, (p.print_date, p.electronic_date))
        if tag in ("au", "1au", "lastau"):
            return lambda p: _author_matches(text, p, tag)
        if tag == "ti":
            return lambda p: _has_phrase(_text_words(p.title), words)
        if tag == "tiab":
            return lambda p: _has_phrase(_text_words(p.title + " " + p.abstract), words)
        simple: dict[str, Callable[[Paper], Iterable[str]]] = {
            "jid": lambda p: [p.nlm_id],
            "vi": lambda p: [p.volume],
            "ip": lambda p: [p.issue],
            "pg": lambda p: [p.pages.split("-")[0]],
            "pt": lambda p: p.publication_types,
        }
        if tag in simple:
            get = simple[tag]
            return lambda p: " ".join(words) in {" ".join(_words(v)) for v in get(p)}
        if tag:
            self.fields_not_found.append(tag)
        return lambda p: _has_words(_text_words(_everything(p)), words)


def _everything(paper: Paper) -> str:
    names = " ".join(f"{a.last} {a.initials}" for a in paper.authors)
    return f"{paper.title} {paper.abstract} {names} {paper.journal_title} {paper.journal_iso}"


def _combine(left: set[str] | None, operator: str, right: set[str] | None) -> set[str] | None:
    """Combine two hit sets; None (a dropped term) leaves the other side unchanged."""
    if left is None:
        return right
    if right is None:
        return left
    if operator == "AND":
        return left & right
    if operator == "OR":
        return left | right
    return left - right
