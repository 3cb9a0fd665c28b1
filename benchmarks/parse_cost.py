"""What an mst page costs to parse, counted in bare parses: where the 10× trafilatura goal stands.

    python -m benchmarks.parse_cost [--pages 200] [--rounds 5]

Times, in interleaved rounds (CPU time of this process, medians), on the mst replica's article
pages and on the hand-written mst fixtures (``tests/fixtures/pages/mst-*``):
``crawler.parsers.parse_article``; its unavoidable core alone (building the tree, flattening the
body, writing the sanitised ``body_html``), and the same core with ``body_html`` through nh3's
second parse as before the direct writer (``crawler.parsers.sanitize.write_safe``); a bare
``lxml.html.fromstring`` (one "parse"); ``trafilatura.extract``. Each figure is printed as
pages/s, as a multiple of trafilatura and as a number of bare parses, so the budget the 10× goal
leaves (trafilatura's parses / 10) can be set against what the core alone takes.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "pages"

Pages = list[tuple[bytes, str]]
Extract = Callable[[bytes, str], object]


def fixture_pages() -> Pages:
    """The hand-written mst article fixtures parsed by the mst parser (not the fallback)."""
    pages: Pages = []
    for folder in sorted(FIXTURES.iterdir()):
        spec_file = folder / "expected.json"
        if not folder.name.startswith("mst-") or not spec_file.exists():
            continue
        spec = json.loads(spec_file.read_text(encoding="utf-8"))
        if spec["kind"] == "article" and spec["expect"].get("parser") != "fallback-trafilatura/1":
            pages.append(((folder / "page.html").read_bytes(), spec["page_url"]))
    return pages


def extractors() -> dict[str, Extract]:
    import lxml.html
    import trafilatura

    from crawler.parsers import parse_article
    from crawler.parsers.blocks import flatten
    from crawler.parsers.document import load
    from crawler.parsers.sanitize import body_html
    from crawler.parsers.sites import recognise

    def core(html: bytes, url: str, *, direct: bool = True) -> object:
        root = load(html)
        found = recognise(root) if root is not None else None
        if found is None:
            return None
        flatten(found[1])
        return body_html(found[1], url, direct=direct)

    return {
        "parse_article": parse_article,
        "core (tree + flatten + body_html)": core,
        "the same core, nh3 re-parsing": lambda html, url: core(html, url, direct=False),
        "lxml.html.fromstring": lambda html, url: lxml.html.fromstring(html),
        "trafilatura.extract": lambda html, url: trafilatura.extract(html, url=url),
    }


def measure(pages: Pages, rounds: int) -> dict[str, float]:
    """Median pages/s of each extractor, in interleaved rounds."""
    fns = extractors()
    rates: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():
        for html, url in pages[:10]:
            fn(html, url)  # imports, caches
    for _ in range(rounds):
        for name, fn in fns.items():
            gc.collect()
            started = time.process_time()
            for html, url in pages:
                fn(html, url)
            rates[name].append(len(pages) / max(time.process_time() - started, 1e-9))
    return {name: statistics.median(values) for name, values in rates.items()}


def lines(title: str, rates: dict[str, float]) -> list[str]:
    traf, floor = rates["trafilatura.extract"], rates["lxml.html.fromstring"]
    out = [f"{title}: 10x trafilatura leaves {floor / traf / 10:.1f} parses per page"]
    for name, rate in rates.items():
        out.append(
            f"  {name:30s} {rate:8.0f} pages/s  {rate / traf:5.1f}x trafilatura  "
            f"{floor / rate:5.1f} parses"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.parse_cost",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("--pages", type=int, default=200, help="mst replica pages")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    args = parser.parse_args(argv)
    from benchmarks.corpus import mst_replica_pages

    replica = [(page.html, page.url) for page in mst_replica_pages(args.pages)]
    fixtures = fixture_pages()
    repeat = max(1, len(replica) // max(len(fixtures), 1))
    print("\n".join(lines(f"{len(replica)} mst replica pages", measure(replica, args.rounds))))
    print(
        "\n".join(
            lines(
                f"{len(fixtures)} mst fixture pages (x{repeat})",
                measure(fixtures * repeat, args.rounds),
            )
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
