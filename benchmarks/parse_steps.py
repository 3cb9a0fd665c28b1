"""Where an mst page's parse goes, counted in CPU instructions step by step (valgrind).

    python -m benchmarks.parse_steps [--pages 200] [--jobs 2]

Each step of ``crawler.parsers.mst.parse_mst_article`` is added in turn to a run over the mst
replica's article pages: building the tree; recognising the portal and holding the body's
elements; the page index; the fields around the body; sorting the body's noise, photos and
byline out; the images; the flattening; the tail, attachments and canonical URL; ``body_html``;
then ``parse_article`` as a whole (the URL rules and the record besides). Each run is a child
process under valgrind's cachegrind (no cache simulation: instructions only) that renders the
pages, warms up on 20 of them and then runs the steps on ``--pages`` others with the cyclic
garbage collector off; a run doing nothing but the same rendering and warm-up is the baseline
taken off. Instruction counts are exact and free of the machine's load, where times on a shared
machine are not; they are not times: the interpreter's instructions cost more time each than
libxml2's (docs/parsers.md, "Evaluation and speed").
"""

from __future__ import annotations

import argparse
import gc
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

WARM_UP = 20
# The steps, in the order parse_mst_article takes them; a run stops after the one it names.
STEPS = (
    "tree",
    "recognise",
    "index",
    "fields",
    "noise",
    "images",
    "flatten",
    "tail",
    "body_html",
)
LABELS = {
    "tree": "building the tree (document.load)",
    "recognise": "recognising the portal, holding the body",
    "index": "the page index",
    "fields": "the fields around the body",
    "noise": "the body's noise, photos and byline",
    "images": "the images",
    "flatten": "the flattening",
    "tail": "source, byline, attachments, canonical URL",
    "body_html": "body_html",
}
WHOLE = "parse_article"  # the whole call, URL rules and record included
_I_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def run_steps(html: bytes, url: str, last: str) -> str | None:
    """``parse_mst_article``'s steps on one page, up to and including ``last``; the page's
    ``body_html`` when they run to the end (None before, or for a page that is no mst article)."""
    from crawler.parsers import mst
    from crawler.parsers.blocks import flatten
    from crawler.parsers.document import load
    from crawler.parsers.most import find_attachments
    from crawler.parsers.sanitize import body_html
    from crawler.parsers.sites import recognise

    upto = STEPS.index(last)
    root = load(html)
    if root is None or upto < 1:
        return None
    found = recognise(root)
    if found is None:
        return None
    body = found[1]
    held = list(body.iter())  # as parse_article holds them
    if upto < 2:
        return None
    index = mst.index_page(root)
    if upto < 3:
        return None
    fields = mst.page_fields(index, 0)
    declared = mst.declared_canonical(index)
    if upto < 4:
        return None
    noise, left_out = mst.body_parts(body)
    for el in noise:
        mst._drop(el)
    if upto < 5:
        return None
    mst.find_images(index, body, url)
    if upto < 6:
        return None
    paragraphs = [b for b in flatten(body, left_out) if b.text]
    if upto < 7:
        return None
    mst.split_tail(paragraphs, fields.author)
    find_attachments(body, url)
    mst.canonical_url(url, declared)
    if upto < 8:
        return None
    written = body_html(body, url)
    del held
    return written


def child(step: str | None, pages: int) -> None:
    """The measured process: render, warm up, then the steps up to ``step`` (``WHOLE``:
    ``parse_article`` itself; ``None``: nothing)."""
    from benchmarks.corpus import mst_replica_pages

    found = [(page.html, page.url) for page in mst_replica_pages(pages + WARM_UP)]
    for html, url in found[:WARM_UP]:
        run_steps(html, url, STEPS[-1])
    gc.collect()
    gc.disable()
    if step == WHOLE:
        from crawler.parsers import parse_article

        for html, url in found[WARM_UP:]:
            parse_article(html, url)
    elif step is not None:
        for html, url in found[WARM_UP:]:
            run_steps(html, url, step)


def instructions(step: str | None, pages: int) -> int:
    """Instructions the child run executes in all, counted by cachegrind."""
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "benchmarks.parse_steps",
        "--pages",
        str(pages),
        "--child",
        step or "none",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    match = _I_REFS.search(done.stderr)
    if done.returncode != 0 or match is None:
        raise SystemExit(f"parse_steps: the run of {step or 'the baseline'} failed:\n{done.stderr}")
    return int(match.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.parse_steps",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("--pages", type=int, default=200, help="mst replica pages measured")
    parser.add_argument("--jobs", type=int, default=2, help="valgrind runs at a time")
    parser.add_argument("--child", choices=(*STEPS, WHOLE, "none"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        child(None if args.child == "none" else args.child, args.pages)
        return 0
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not installed (apt-get install valgrind)")
    runs: list[str | None] = [None, *STEPS, WHOLE]
    count: Callable[[str | None], int] = lambda step: instructions(step, args.pages)  # noqa: E731
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        totals = dict(zip(runs, pool.map(count, runs), strict=True))
    base = totals[None]
    print(f"{args.pages} mst replica pages, million instructions a page (valgrind cachegrind)")
    before = 0.0
    for step in STEPS:
        upto = (totals[step] - base) / args.pages / 1e6
        print(f"  {LABELS[step]:46s} {upto - before:6.3f}   (up to here {upto:6.3f})")
        before = upto
    whole = (totals[WHOLE] - base) / args.pages / 1e6
    print(f"  {'parse_article, the whole call':46s} {whole:6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
