"""Replay URLs from a WARC in pywb and print what it serves (run with the pywb venv's Python).

pywb pins dependencies that clash with ours (cryptography, pyOpenSSL), so it lives in its own
virtualenv (``make replay-venv``: ``.venv-replay``, from tests/replay/requirements.txt) and
tests/replay/test_pywb.py runs this script there, in a subprocess.

    python pywb_replay.py WORKDIR WARC URL...

makes a pywb collection ``most`` in WORKDIR, adds WARC (a .warc.gz, or a .wacz unpacked) to it
(pywb's own indexer), and asks
pywb's WSGI app (in-process, no port) for each URL in ``id_`` mode (the archived bytes, not
rewritten) at the latest capture. Prints one JSON object: URL -> {status, sha256, size,
content_type}.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    workdir, warc, urls = Path(argv[0]), Path(argv[1]).resolve(), argv[2:]
    workdir.mkdir(parents=True, exist_ok=True)
    os.chdir(workdir)
    from pywb.manager.manager import CollectionsManager

    manager = CollectionsManager("most", must_exist=False)
    manager.add_collection()
    manager.add_archives([str(warc)], unpack_wacz=warc.suffix == ".wacz")

    from pywb.apps.frontendapp import FrontEndApp
    from werkzeug.test import Client

    client = Client(FrontEndApp())
    found = {}
    for url in urls:
        response = client.get(f"/most/2100id_/{url}")
        body = response.get_data()
        found[url] = {
            "status": response.status_code,
            "sha256": hashlib.sha256(body).hexdigest(),
            "size": len(body),
            "content_type": response.headers.get("Content-Type"),
        }
    sys.stdout.write(json.dumps(found) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
