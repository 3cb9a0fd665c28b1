"""Parser accuracy and speed against the replica's ground truth, beside generic extractors.

    python -m benchmarks.eval_parser --pages 1000 --out docs/parser-eval.md

Renders replica article pages in-process (no server) of both portals (``--portal``: the
SharePoint portal ``most``, mst.gov.vn ``mst``, or ``both``), runs every extractor on the same
bytes and compares each with the replica's ``truth(id)``: exact-match rate per field, body token
F1 (mean and worst), caption precision/recall/F1, leaks (a caption or the source line inside the
body) and pages per second on one core (CPU time of this process). One table per portal is
printed and, with ``--out``, written to a Markdown file with the machine, the versions and the
command.

``evaluate()`` takes any extractors, so a test can feed it a deliberately broken parser and check
that the evaluation notices (it must never pass silently).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from crawler.parsers import parse_article
from crawler.parsers.text import clean

FIELDS = ("title", "lead", "published_at", "date", "category", "source", "author", "tags")
PORTALS = ("most", "mst")
PORTAL_TITLES = {
    "most": "www.most.gov.vn (the SharePoint portal, `most/1`)",
    "mst": "mst.gov.vn (the VCCorp newsroom CMS, `mst/1`)",
}


@dataclass
class Prediction:
    """What one extractor read off one page. None in a field: the extractor has no such field."""

    title: str | None = None
    lead: str | None = None
    published_at: str | None = None
    category: str | None = None
    source: str | None = None
    author: str | None = None
    tags: list[str] | None = None
    body: list[str] = field(default_factory=list)
    captions: list[str] | None = None
    parser: str = ""


Extractor = Callable[[bytes, str], Prediction | None]


@dataclass
class System:
    name: str
    extract: Extractor
    fields: frozenset[str]  # the fields it extracts at all (others print as "—")


# --- the extractors -----------------------------------------------------------------------------


def ours(html: bytes, url: str) -> Prediction | None:
    article = parse_article(html, url)
    if article is None:
        return None
    return Prediction(
        title=article.title,
        lead=article.lead,
        published_at=article.published_at,
        category=article.category,
        source=article.source,
        author=article.author,
        tags=article.tags,
        body=article.body,
        captions=[i.caption for i in article.images if i.caption],
        parser=article.parser,
    )


def _lines(text: str | None) -> list[str]:
    return [c for c in (clean(line) for line in (text or "").split("\n")) if c]


def _clean(text: str | None) -> str | None:
    """Generic extractors get the same text hygiene as ours (NFC, spaces), to be fair."""
    return clean(text) if text is not None else None


def trafilatura_extract(html: bytes, url: str) -> Prediction | None:
    import trafilatura

    doc = trafilatura.bare_extraction(html.decode("utf-8", "replace"), url=url, with_metadata=True)
    if doc is None:
        return None
    data: dict[str, Any] = doc if isinstance(doc, dict) else doc.as_dict()
    date = data.get("date")
    categories = data.get("categories") or []
    return Prediction(
        title=_clean(data.get("title")),
        lead=_clean(data.get("description")),
        published_at=f"{date}T00:00:00+07:00" if date else None,
        category=_clean(categories[-1]) if categories else None,
        source=_clean(data.get("author")),
        author=_clean(data.get("author")),
        tags=_listed(data.get("tags")),
        body=_lines(data.get("text")),
        parser="trafilatura",
    )


def _listed(value: Any) -> list[str]:
    """A generic extractor's tags (a list, or one comma-separated string) as clean strings."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    return [c for c in (clean(str(item)) for item in items) if c]


def newspaper_extract(html: bytes, url: str) -> Prediction | None:
    from newspaper import Article as NewsArticle

    page = NewsArticle(url, language="vi", fetch_images=False)
    page.download(input_html=html.decode("utf-8", "replace"))
    page.parse()
    when = page.publish_date
    return Prediction(
        title=_clean(page.title) or None,
        lead=_clean(page.meta_description) or None,
        published_at=when.strftime("%Y-%m-%dT%H:%M:00+07:00") if when else None,
        source=_clean(", ".join(page.authors)) or None,
        author=_clean(", ".join(page.authors)) or None,
        tags=_listed(sorted(page.tags or [])),
        body=_lines(page.text),
        parser="newspaper4k",
    )


def default_systems(with_newspaper: bool = True, portal: str = "most") -> list[System]:
    systems = [
        System(f"{portal}/1 (ours)", ours, frozenset(FIELDS) | {"captions"}),
        System(
            "trafilatura",
            trafilatura_extract,
            frozenset({"title", "published_at", "date", "category", "source", "author", "tags"}),
        ),
    ]
    if with_newspaper:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import newspaper as _newspaper  # noqa: F401
        except ImportError as exc:
            print(f"newspaper4k not available ({exc}); left out", file=sys.stderr)
        else:
            systems.append(
                System(
                    "newspaper4k",
                    newspaper_extract,
                    frozenset({"title", "published_at", "date", "source", "author", "tags"}),
                )
            )
    return systems


# --- scoring ------------------------------------------------------------------------------------


def token_f1(got: list[str], want: list[str]) -> float:
    a, b = Counter(" ".join(got).split()), Counter(" ".join(want).split())
    if not a and not b:
        return 1.0
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def leaks(body: list[str], truth: dict[str, Any]) -> int:
    """How many of the page's captions and source line turn up inside the extracted body (more
    often than in the true body: a short author name may also be quoted in the text)."""
    text, true_text = "\n".join(body), "\n".join(truth["body"])
    needles = [i["caption"] for i in truth["images"] if i["caption"]]
    if truth["source"]:
        needles.append(truth["source"])
    return sum(1 for n in needles if text.count(n) > true_text.count(n))


@dataclass
class Score:
    pages: int = 0
    returned: int = 0
    failed: int = 0
    fallback: int = 0
    exact: Counter[str] = field(default_factory=Counter)
    f1: list[float] = field(default_factory=list)
    caption_hits: int = 0
    caption_predicted: int = 0
    caption_truth: int = 0
    leak_pages: int = 0
    leaked: int = 0
    seconds: float = 0.0


def _value(pred: Prediction, name: str) -> str | list[str] | None:
    if name == "date":
        return pred.published_at[:10] if pred.published_at else None
    if name == "tags":
        return pred.tags or []
    value: str | None = getattr(pred, name)
    return value


def _truth_value(truth: dict[str, Any], name: str) -> str | list[str] | None:
    if name == "date":
        return str(truth["published_at"])[:10] if truth["published_at"] else None
    if name == "tags":  # a truth without the key: a portal that shows no tags
        return list(truth.get("tags") or [])
    value: str | None = truth.get(name)
    return value


def score_page(score: Score, pred: Prediction | None, truth: dict[str, Any]) -> None:
    score.pages += 1
    pred = pred or Prediction()
    score.returned += bool(pred.parser)
    score.fallback += pred.parser.startswith("fallback")
    for name in FIELDS:
        score.exact[name] += _value(pred, name) == _truth_value(truth, name)
    score.f1.append(token_f1(pred.body, truth["body"]))
    want = Counter(i["caption"] for i in truth["images"] if i["caption"])
    got = Counter(pred.captions or [])
    score.caption_hits += sum((want & got).values())
    score.caption_predicted += sum(got.values())
    score.caption_truth += sum(want.values())
    found = leaks(pred.body, truth)
    score.leak_pages += found > 0
    score.leaked += found


@dataclass
class Page:
    url: str
    html: bytes
    truth: dict[str, Any]


def replica_pages(count: int, seed: int = 1, portal: str = "most") -> list[Page]:
    """The first ``count`` article pages of a replica of ``portal`` ("most" or "mst")."""
    site: Any
    if portal == "mst":
        from replica.mst.site import MstSite

        site = MstSite(articles=max(count, 200), seed=seed)
    else:
        from replica.site import Site

        site = Site(articles=max(count, 200), seed=seed)
    pages = []
    for site_id in site.article_ids()[:count]:
        truth = site.truth(site_id)
        status, _headers, body = site.render("GET", urlsplit(truth["url"]).path, {})
        if status == 200:
            pages.append(Page(truth["url"], body, truth))
    return pages


def evaluate(pages: list[Page], systems: list[System]) -> dict[str, Score]:
    """Score every system on every page, then time it on a second, warm pass (one core)."""
    results: dict[str, Score] = {}
    for system in systems:
        score = Score()
        for page in pages:
            try:
                pred = system.extract(page.html, page.url)
            except Exception as exc:  # a third-party extractor's crash is a data point
                pred = None
                score.failed += 1
                if score.failed == 1:
                    print(f"{system.name} failed on {page.url}: {exc!r}", file=sys.stderr)
            score_page(score, pred, page.truth)
        started = time.process_time()
        for page in pages:
            with contextlib.suppress(Exception):  # counted above
                system.extract(page.html, page.url)
        score.seconds = time.process_time() - started
        results[system.name] = score
    return results


def speed_vs_lxml(pages: list[Page], extract: Extractor) -> tuple[float, float, float]:
    """Pages/sec of (bare lxml.html.fromstring in a loop of its own; bare lxml and the
    extractor timed page by page in alternation, so both see the same machine load and caches).
    """
    started = time.process_time()
    for page in pages:
        lxml.html.fromstring(page.html)
    alone = len(pages) / max(time.process_time() - started, 1e-9)
    bare = full = 0.0
    for page in pages:
        started = time.process_time()
        lxml.html.fromstring(page.html)
        middle = time.process_time()
        extract(page.html, page.url)
        bare += middle - started
        full += time.process_time() - middle
    return alone, len(pages) / max(bare, 1e-9), len(pages) / max(full, 1e-9)


# --- the table ----------------------------------------------------------------------------------

ROWS = (
    "pages",
    "returned an article",
    "title exact",
    "lead exact",
    "published_at exact",
    "date (day) exact",
    "category exact",
    "source exact",
    "author exact",
    "tags exact",
    "body token F1 (mean)",
    "body token F1 (worst)",
    "caption precision",
    "caption recall",
    "caption F1",
    "pages with leaks",
    "leaked captions/sources",
    "extractor failures",
    "fallback used",
    "pages/sec (one core)",
)


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def rows(system: System, s: Score) -> dict[str, str]:
    def exact(name: str) -> str:
        return _pct(s.exact[name], s.pages) if name in system.fields else "— (not extracted)"

    has_captions = "captions" in system.fields
    precision = _ratio(s.caption_hits, s.caption_predicted)
    recall = _ratio(s.caption_hits, s.caption_truth) or 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else 0.0
    rate = s.pages / s.seconds if s.seconds else 0.0
    return {
        "pages": str(s.pages),
        "returned an article": _pct(s.returned, s.pages),
        "title exact": exact("title"),
        "lead exact": exact("lead"),
        "published_at exact": exact("published_at"),
        "date (day) exact": exact("date"),
        "category exact": exact("category"),
        "source exact": exact("source"),
        "author exact": exact("author"),
        "tags exact": exact("tags"),
        "body token F1 (mean)": f"{sum(s.f1) / len(s.f1):.4f}" if s.f1 else "—",
        "body token F1 (worst)": f"{min(s.f1):.4f}" if s.f1 else "—",
        "caption precision": f"{precision:.4f}"
        if has_captions and precision is not None
        else "— (not extracted)",
        "caption recall": f"{recall:.4f}" if has_captions else "0 (not extracted)",
        "caption F1": f"{f1:.4f}" if has_captions else "0 (not extracted)",
        "pages with leaks": str(s.leak_pages),
        "leaked captions/sources": str(s.leaked),
        "extractor failures": str(s.failed),
        "fallback used": str(s.fallback),
        "pages/sec (one core)": f"{rate:.0f}",
    }


def table(systems: list[System], results: dict[str, Score]) -> str:
    columns = [rows(system, results[system.name]) for system in systems]
    lines = [
        "| metric | " + " | ".join(s.name for s in systems) + " |",
        "|---|" + "---:|" * len(systems),
    ]
    lines += [f"| {row} | " + " | ".join(c[row] for c in columns) + " |" for row in ROWS]
    return "\n".join(lines)


def speed_lines(
    systems: list[System], results: dict[str, Score], speed: tuple[float, float, float]
) -> list[str]:
    rates = {
        s.name: results[s.name].pages / results[s.name].seconds
        for s in systems
        if results[s.name].seconds
    }
    ours_rate = rates.get(systems[0].name, 0.0)
    alone, bare, paired = speed
    if not (ours_rate and paired):
        return ["- no speed measured"]
    out = [
        f"- cost of {systems[0].name} in bare `lxml.html.fromstring` parses of the same pages: "
        f"{bare / paired:.2f}× when the two are timed page by page in alternation ({bare:.0f} vs "
        f"{paired:.0f} pages/sec); {alone / ours_rate:.2f}× comparing the table's figure with "
        f"lxml timed in a loop of its own ({alone:.0f} pages/sec)",
    ]
    for name, rate in rates.items():
        if name != systems[0].name and rate:
            out.append(f"- {systems[0].name} is {ours_rate / rate:.1f}× faster than {name}")
    return out


def _versions() -> str:
    names = ("lxml", "nh3", "trafilatura", "newspaper4k")
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join([f"Python {platform.python_version()}", *found])


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


@dataclass
class Section:
    """One portal's evaluation: its systems, their scores and the speed against bare lxml."""

    portal: str
    systems: list[System]
    results: dict[str, Score]
    speed: tuple[float, float, float]


def report(sections: list[Section], command: str) -> str:
    lines = [
        "# Parser evaluation",
        "",
        "Generated by `benchmarks/eval_parser.py`; do not edit by hand. For each portal, each "
        "extractor reads the same replica article pages (rendered in-process) and is compared "
        'field by field with the replica\'s ground truth (`truth(id)`). "Exact" is string '
        "(or list) equality, with no post-processing beyond the same text hygiene for everyone "
        "(NFC, spaces); body F1 is bag-of-tokens F1 of the body paragraphs; a leak is a "
        "caption or the source line found inside the extracted body; speed is CPU time of one "
        "process (one core), on a second pass over the pages after the scoring pass. Generic "
        "extractors have no caption or lead field: their rows say so; their `source` and "
        "`author` are both compared with their author field, their `tags` with their tags "
        "(keywords). The SharePoint portal shows no byline and no tags: there the truth is "
        "`None` / `[]`.",
        "",
        "The replicas and the site parsers were both written from SITE.md and SITE-mst.md: a "
        "perfect score here says the two agree on every markup variant the replica serves, not "
        "that the real site holds no surprise.",
        "",
        f"- command: `{command}`",
        f"- when: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {_cpu()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
        f"load average {os.getloadavg()[0]:.1f} at the end (other processes share the CPUs)",
        f"- versions: {_versions()}",
        "",
    ]
    for section in sections:
        lines += [
            f"## {PORTAL_TITLES.get(section.portal, section.portal)}",
            "",
            table(section.systems, section.results),
            "",
            *speed_lines(section.systems, section.results, section.speed),
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.eval_parser",
        description="Parser accuracy and speed against the replica's ground truth.",
    )
    parser.add_argument(
        "--pages", type=int, default=1000, help="article pages to evaluate (per portal)"
    )
    parser.add_argument("--seed", type=int, default=1, help="replica seed")
    parser.add_argument(
        "--portal",
        choices=(*PORTALS, "both"),
        default="both",
        help="which portal's replica to evaluate (default: both)",
    )
    parser.add_argument("--out", type=Path, help="write the report (Markdown) here")
    parser.add_argument("--no-newspaper", action="store_true", help="leave newspaper4k out")
    args = parser.parse_args(argv)
    sections = []
    for portal in PORTALS if args.portal == "both" else (args.portal,):
        pages = replica_pages(args.pages, args.seed, portal)
        systems = default_systems(with_newspaper=not args.no_newspaper, portal=portal)
        results = evaluate(pages, systems)
        sections.append(Section(portal, systems, results, speed_vs_lxml(pages, systems[0].extract)))
    given = argv if argv is not None else sys.argv[1:]
    command = "python -m benchmarks.eval_parser " + " ".join(given)
    text = report(sections, command.strip())
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
