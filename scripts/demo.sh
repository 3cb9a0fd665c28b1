#!/usr/bin/env bash
# make demo: serve the replica on 127.0.0.1, crawl it into demo/archive.db, summarise, search.
#
#   scripts/demo.sh [PORT] [ARTICLES]      (defaults 8765 and 200)
#
# The replica is stopped when the script ends, however it ends. Exits non-zero when the crawl's
# counts do not match the number of articles the replica served.
set -euo pipefail

PORT="${1:-8765}"
ARTICLES="${2:-200}"
MOST="${MOST_ARCHIVE_BIN:-most-archive}"
PYTHON="${PYTHON:-python3}"
DEMO_DIR="demo"
DB="$DEMO_DIR/archive.db"
SITE="http://127.0.0.1:$PORT"

mkdir -p "$DEMO_DIR"
# a fresh archive each time, so the summary counts the whole site
rm -rf "$DB" "$DB-wal" "$DB-shm" "$DB.lock" "$DEMO_DIR/archive-files"

echo "== serving a $ARTICLES-article replica of www.most.gov.vn on $SITE"
"$MOST" replica --host 127.0.0.1 --port "$PORT" --articles "$ARTICLES" >"$DEMO_DIR/replica.log" 2>&1 &
REPLICA_PID=$!
stop_replica() {
    kill "$REPLICA_PID" 2>/dev/null || true
    wait "$REPLICA_PID" 2>/dev/null || true
}
trap stop_replica EXIT INT TERM

health() {
    "$PYTHON" - "$SITE" <<'PY'
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/__replica__/health", timeout=2) as r:
    print(json.load(r)["articles"])
PY
}
SERVED=""
for _ in $(seq 1 300); do
    if ! kill -0 "$REPLICA_PID" 2>/dev/null; then
        echo "the replica did not start (is port $PORT free?):" >&2
        cat "$DEMO_DIR/replica.log" >&2
        exit 1
    fi
    if SERVED="$(health 2>/dev/null)"; then break; fi
    sleep 0.2
done
[ -n "$SERVED" ] || { echo "the replica never answered on $SITE" >&2; exit 1; }

echo "== crawling it into $DB"
set +e
"$MOST" crawl --site "$SITE" --db "$DB" --delay 0 2> >(tee "$DEMO_DIR/crawl.log" >&2)
CRAWL_RC=$?
set -e
sleep 0.2  # let tee finish writing the log

echo
echo "== most-archive stats --db $DB"
"$MOST" stats --db "$DB"
echo
echo "== most-archive search \"khoa học\" --db $DB --limit 5"
"$MOST" search "khoa học" --db "$DB" --limit 5

NEW="$(sed -n 's/.*articles new: *\([0-9][0-9]*\).*/\1/p' "$DEMO_DIR/crawl.log" | tail -n 1)"
echo
if [ "$CRAWL_RC" -ne 0 ]; then
    echo "FAILED: the crawl exited $CRAWL_RC (see $DEMO_DIR/crawl.log)" >&2
    exit 1
fi
if [ "$NEW" != "$SERVED" ]; then
    echo "FAILED: the replica served $SERVED articles, the crawl archived ${NEW:-none}" >&2
    exit 1
fi
echo "OK: the replica served $SERVED articles and the crawl archived $NEW new articles."
