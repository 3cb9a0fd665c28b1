#!/usr/bin/env bash
# make demo: serve both portals of the replica on 127.0.0.1 (the SharePoint portal
# www.most.gov.vn and mst.gov.vn with its media host), crawl both into demo/archive.db in one
# run, summarise, search.
#
#   scripts/demo.sh [PORT] [ARTICLES]      (defaults 8765 and 200)
#
# The SharePoint replica listens on PORT, the mst replica on PORT+1 and its media host on
# PORT+2. The replicas are stopped when the script ends, however it ends. Exits non-zero when
# the crawl fails or its counts do not match the number of articles the replicas served.
set -euo pipefail

PORT="${1:-8765}"
ARTICLES="${2:-200}"
MST_PORT=$((PORT + 1))
MEDIA_PORT=$((PORT + 2))
MOST="${MOST_ARCHIVE_BIN:-most-archive}"
PYTHON="${PYTHON:-python3}"
DEMO_DIR="demo"
DB="$DEMO_DIR/archive.db"
MOST_SITE="http://127.0.0.1:$PORT"
MST_SITE="http://127.0.0.1:$MST_PORT"

mkdir -p "$DEMO_DIR"
# a fresh archive each time, so the summary counts the whole of both sites
rm -rf "$DB" "$DB-wal" "$DB-shm" "$DB.lock" "$DEMO_DIR/archive-files"

PIDS=()
stop_replicas() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_replicas EXIT INT TERM

echo "== serving a $ARTICLES-article replica of www.most.gov.vn on $MOST_SITE"
"$MOST" replica --host 127.0.0.1 --port "$PORT" --articles "$ARTICLES" \
    >"$DEMO_DIR/replica-most.log" 2>&1 &
PIDS+=($!)
echo "== serving a $ARTICLES-article replica of mst.gov.vn on $MST_SITE" \
    "(media host http://127.0.0.1:$MEDIA_PORT)"
"$MOST" replica --portal mst --host 127.0.0.1 --port "$MST_PORT" --media-port "$MEDIA_PORT" \
    --articles "$ARTICLES" >"$DEMO_DIR/replica-mst.log" 2>&1 &
PIDS+=($!)

health() {  # the number of articles the replica at $1 serves
    "$PYTHON" - "$1" <<'PY'
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/__replica__/health", timeout=2) as r:
    print(json.load(r)["articles"])
PY
}
wait_for() {  # wait_for SITE PID LOG: prints the articles served
    local site="$1" pid="$2" log="$3" served=""
    for _ in $(seq 1 300); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "the replica on $site did not start (is the port free?):" >&2
            cat "$log" >&2
            return 1
        fi
        if served="$(health "$site" 2>/dev/null)"; then echo "$served"; return 0; fi
        sleep 0.2
    done
    echo "the replica never answered on $site" >&2
    return 1
}
SERVED_MOST="$(wait_for "$MOST_SITE" "${PIDS[0]}" "$DEMO_DIR/replica-most.log")"
SERVED_MST="$(wait_for "$MST_SITE" "${PIDS[1]}" "$DEMO_DIR/replica-mst.log")"
SERVED=$((SERVED_MOST + SERVED_MST))

echo "== crawling both into $DB"
set +e
"$MOST" crawl --site "$MOST_SITE" --site "$MST_SITE" --db "$DB" --delay 0 \
    2> >(tee "$DEMO_DIR/crawl.log" >&2)
CRAWL_RC=$?
set -e
sleep 0.2  # let tee finish writing the log

echo
echo "== most-archive stats --db $DB"
"$MOST" stats --db "$DB"
echo
if "$MOST" search --help | grep -q -- "--portal"; then
    for portal in most mst; do
        echo "== most-archive search \"khoa học\" --portal $portal --db $DB --limit 3"
        "$MOST" search "khoa học" --portal "$portal" --db "$DB" --limit 3
        echo
    done
else
    echo "== most-archive search \"khoa học\" --db $DB --limit 5"
    "$MOST" search "khoa học" --db "$DB" --limit 5
    echo
fi

# one summary per site: add up their "articles new" lines
NEW="$(sed -n 's/.*articles new: *\([0-9][0-9]*\).*/\1/p' "$DEMO_DIR/crawl.log" \
       | awk '{ n += $1 } END { print n + 0 }')"
if [ "$CRAWL_RC" -ne 0 ]; then
    echo "FAILED: the crawl exited $CRAWL_RC (see $DEMO_DIR/crawl.log)" >&2
    exit 1
fi
if [ "$NEW" != "$SERVED" ]; then
    echo "FAILED: the replicas served $SERVED articles ($SERVED_MOST + $SERVED_MST)," \
         "the crawl archived $NEW" >&2
    exit 1
fi
echo "OK: the replicas served $SERVED articles ($SERVED_MOST on www.most.gov.vn's," \
     "$SERVED_MST on mst.gov.vn's) and the crawl archived $NEW new articles."
