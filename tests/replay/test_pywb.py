"""Replay in pywb (issue 12): a crawled SharePoint-portal article and its images come back
byte for byte from the WARC and from the WACZ export.

A small replica is crawled for real (a subprocess), exported with ``most-archive export
--format warc`` and ``--format wacz``, and both are replayed by pywb, which runs in its own
virtualenv (its pins clash with ours: ``make replay-venv``, which ``make test`` runs first)
through tests/replay/pywb_replay.py; the WACZ is made by py-wacz from that venv too. Both
exports also hold a response record for every archived page and every downloaded file.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive import store
from archive.db import open_archive
from archive.files import files_dir_for
from replica.testing import running_replica
from tests.e2e.support import MOST_ARCHIVE, ROOT, crawl, export

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).with_name("pywb_replay.py")
REPLAY_ENV = "MOST_ARCHIVE_REPLAY_PYTHON"  # set by `make test`: the replay venv must be there
DEFAULT_PYTHON = ROOT / ".venv-replay" / "bin" / "python"


def replay_python() -> Path:
    required = os.environ.get(REPLAY_ENV)
    python = Path(required) if required else DEFAULT_PYTHON
    if not python.exists():
        if required:
            pytest.fail(f"{REPLAY_ENV}={required} does not exist: run `make replay-venv`")
        pytest.skip("pywb's virtualenv is missing: `make replay-venv` (make test does it)")
    return python


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work: Path = tmp_path_factory.mktemp("replay")
    db = work / "archive.db"
    with running_replica(articles=8, seed=5) as rep:
        result = crawl(rep.base_url, db)
        assert result.returncode == 0, result.stderr[-3000:]
    # py-wacz lives in the replay venv (archive/wacz.py says why)
    env = {**os.environ, "MOST_ARCHIVE_WACZ": str(replay_python().parent / "wacz")}
    for fmt, name in (("warc", "archive.warc.gz"), ("wacz", "archive.wacz")):
        command = [MOST_ARCHIVE, "export", "--format", fmt, "--db", str(db), "-o", str(work / name)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
        assert done.returncode == 0, done.stderr[-3000:]
    return {"db": db, "work": work, "articles": export(db)}


def _records(stream: io.BufferedIOBase | Any) -> list[tuple[str, str | None]]:
    return [
        (r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(stream)
    ]


def _archived(db: Path) -> tuple[set[str], dict[str, str]]:
    """Every archived page URL, and every downloaded file URL with its stored file's sha256."""
    conn = open_archive(db, readonly=True)
    try:
        pages = {r["url"] for r in conn.query("select url from raw_pages")}
        files = {r["url"]: r["sha256"] for r in conn.query("select url, sha256 from files")}
    finally:
        conn.conn.close()
    return pages, files


def test_the_exports_hold_every_archived_page_and_file(exported: dict[str, Any]) -> None:
    pages, files = _archived(exported["db"])
    assert files, "the crawl downloaded no file"
    with (exported["work"] / "archive.warc.gz").open("rb") as fh:
        in_warc = {uri for kind, uri in _records(fh) if kind == "response"}
    assert pages | set(files) <= in_warc
    with (exported["work"] / "archive.warc.gz").open("rb") as fh:
        # a crawl of this release keeps every response's headers: none is synthesised
        assert not [
            r.rec_headers.get_header("WARC-Target-URI")
            for r in ArchiveIterator(fh)
            if r.rec_headers.get_header("WARC-Synthesized-Headers")
        ]
    with zipfile.ZipFile(exported["work"] / "archive.wacz") as z:
        names = z.namelist()
        assert {"datapackage.json", "pages/pages.jsonl", "indexes/index.cdx.gz"} <= set(names)
        package = json.loads(z.read("datapackage.json"))
        assert package["wacz_version"].startswith("1.1")
        for resource in package["resources"]:
            digest = hashlib.sha256(z.read(resource["path"])).hexdigest()
            assert resource["hash"] == f"sha256:{digest}", resource["path"]
        warcs = [n for n in names if n.startswith("archive/")]
        assert len(warcs) == 1
        in_wacz = {
            uri for kind, uri in _records(io.BytesIO(z.read(warcs[0]))) if kind == "response"
        }
        index = gzip.decompress(z.read("indexes/index.cdx.gz")).decode()
        listed = [json.loads(line) for line in z.read("pages/pages.jsonl").splitlines()[1:]]
    assert pages | set(files) <= in_wacz
    assert all(url.split("://", 1)[1].split("/", 1)[1][:20] in index for url in files)
    assert {p["url"] for p in listed} == {a["url"] for a in exported["articles"]}


@pytest.mark.parametrize("name", ["archive.warc.gz", "archive.wacz"])
def test_pywb_replays_an_article_and_its_images_byte_for_byte(
    exported: dict[str, Any], name: str
) -> None:
    article = next(a for a in exported["articles"] if sum(1 for i in a["images"] if i["path"]) >= 2)
    images = [i for i in article["images"] if i["path"]]
    conn = open_archive(exported["db"], readonly=True)
    try:
        page_id = next(
            conn.query("select id from raw_pages where url = ? order by id desc", [article["url"]])
        )["id"]
        page = store.page_body(conn, page_id)
    finally:
        conn.conn.close()
    assert page
    urls = [article["url"], *(i["url"] for i in images)]
    result = subprocess.run(
        [
            str(replay_python()),
            str(SCRIPT),
            str(exported["work"] / f"pywb-{name}"),
            str(exported["work"] / name),
            *urls,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    served = json.loads(result.stdout.strip().splitlines()[-1])
    assert served[article["url"]]["status"] == 200
    assert served[article["url"]]["sha256"] == hashlib.sha256(page).hexdigest()
    files_dir = files_dir_for(exported["db"])
    for image in images:
        data = (files_dir / image["path"]).read_bytes()
        assert served[image["url"]]["status"] == 200, image["url"]
        assert served[image["url"]]["sha256"] == hashlib.sha256(data).hexdigest(), image["url"]
        assert served[image["url"]]["size"] == len(data)
