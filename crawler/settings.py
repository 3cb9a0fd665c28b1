"""Scrapy settings of the ``most`` spider (``scrapy.cfg`` points here).

Our own keys are prefixed ``ARCHIVE_``; each is declared once below with its default and a
comment, and documented in ``docs/settings.md`` (a test checks both). ``most-archive crawl``
sets some of them from its options; ``scrapy crawl most -s ARCHIVE_DB=x.db`` works too.
Everything else is a stock Scrapy setting, chosen to be polite to a ministry's web server.
"""

from __future__ import annotations

from scrapy.settings import default_settings as _scrapy

from archive import defaults, drift
from archive.defaults import DEFAULT_DB
from crawler.portals import most

BOT_NAME = "most-archive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# `scrapy crawl` checks the spider's -a site=URL before it starts (crawler/commands/crawl.py)
COMMANDS_MODULE = "crawler.commands"

# --------------------------------------------------------------------------- our own settings

# The site to crawl: scheme + host (+ port). Links are rewritten onto it; nothing else is fetched.
ARCHIVE_SITE = most.DEFAULT_SITE  # "https://www.most.gov.vn"
# Further base URLs of the site's portal, tried in order when the site is unreachable or its
# root page redirects out of the portal's host family (comma-separated). `most-archive crawl`
# sets it for the default sites only, from each portal's host list; empty for an explicit --site.
ARCHIVE_FALLBACK_SITES = ""
# The sites a plain `scrapy crawl most` (no -a site, no -s ARCHIVE_SITE) crawls one after the
# other (comma-separated); empty = every portal's default site. `most-archive crawl` uses --site.
ARCHIVE_SITES = ""
# Further hosts (names, comma-separated) whose images and attachments are the site's own, as its
# portal's media hosts are (mic.mediacdn.vn for mst.gov.vn): a file failing there is recorded and
# fetched again by the next run. Files on any other host are a third party's: best effort.
ARCHIVE_MEDIA_HOSTS = ""
# The SQLite archive the crawl writes (created if missing).
ARCHIVE_DB = DEFAULT_DB  # "archive.db"
# Folder for downloaded images and attachments; empty = "<db stem>-files" beside the database.
ARCHIVE_FILES = ""
# At most this many listing pages per category are walked (0 = no limit of your own). A run
# this limit cut short is recorded as "limited" (exit 0); the next run walks everything.
ARCHIVE_MAX_PAGES = 0
# Safety bound on listing pages per category when ARCHIVE_MAX_PAGES is 0: a pager that keeps
# inventing new pages ends here (logged; the run is "limited" with exit 1). The real sites'
# categories are a few hundred pages deep at most. 0 = no bound.
ARCHIVE_MAX_PAGES_BOUND = 5000
# True: stop paging a category after ARCHIVE_STOP_AFTER_KNOWN_PAGES pages holding only archived
# articles, and re-check archived ones on the decaying schedule. False (--full): walk everything.
ARCHIVE_INCREMENTAL = True
# How many consecutive listing pages holding only archived articles end a category's walk.
ARCHIVE_STOP_AFTER_KNOWN_PAGES = 1
# Responses larger than this many bytes are cut off and recorded as failed ("too large").
ARCHIVE_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
# The same for HTML pages (home, listings, articles): the real ones are well under 1 MiB; a
# 26 MB listing is refused instead of parsed. Images and attachments keep the limit above.
ARCHIVE_MAX_PAGE_BYTES = 8 * 1024 * 1024
# At most this many article links are taken from one listing page (the real ones list 10 to
# 20); the rest are left out, with a warning. 0 = no cap.
ARCHIVE_MAX_LINKS_PER_PAGE = 1000
# A request that timed out (DOWNLOAD_TIMEOUT) without receiving a byte is retried at most this
# many times: a URL that hangs costs (1 + this) x DOWNLOAD_TIMEOUT, about a minute.
ARCHIVE_TIMEOUT_RETRIES = 1
# A transfer still receiving bytes when DOWNLOAD_TIMEOUT ran out (a large file arriving
# steadily) is tried again with a 4x longer timeout, up to this many seconds, and is not
# counted as a failed try.
ARCHIVE_MAX_TRANSFER_SECONDS = 600.0
# At most this many archived articles are re-checked per run (the most overdue first; 0 = none).
ARCHIVE_RECHECK_LIMIT = 500
# Evaluate the re-check schedule as if it were this ISO 8601 time (empty = now); a far-future
# time makes every archived article due (tests, catch-up runs).
ARCHIVE_RECHECK_AT = ""
# Read the RSS feed and the Getdataportal.asmx post list for discovery (optional sources).
ARCHIVE_DISCOVERY = True
# Download the images and attachments of articles (page requisites: from whichever http(s) host
# serves them, never from an internal address: crawler.requisites).
ARCHIVE_FETCH_FILES = True
# At most this many images and this many attachments of one article are downloaded, the first
# in document order (a real article holds a few dozen at most; a broken template or a defaced
# page may hold thousands, from any host); the rest are left out, with a warning, in later runs
# too. The article itself keeps every image and attachment it lists. 0 = all.
ARCHIVE_MAX_FILES_PER_ARTICLE = 1000
# Also download the form of each image the page displays when it differs from the full-size
# one the archive keeps (mst.gov.vn shows /thumb_w/730/... of a full image), so a replay of the
# archived page (WARC/WACZ) shows its images. Off: only the full-size images are downloaded.
ARCHIVE_FETCH_DISPLAYED_IMAGES = False
# First retry waits this many seconds, doubling each time (a Retry-After header wins).
ARCHIVE_RETRY_BACKOFF = 1.0
# Longest wait (seconds) before a retry, whatever Retry-After or the backoff asks.
ARCHIVE_RETRY_MAX_WAIT = 120.0
# Longest robots.txt Crawl-delay honoured (seconds): a longer one (a hostile or broken
# "Crawl-delay: 1e308" froze the crawl for good) is waited this long, with a warning (0 = no cap).
ARCHIVE_MAX_CRAWL_DELAY = 60.0
# Id of the ``runs`` row this crawl writes under (set by ``most-archive crawl``; when unset
# the pipeline records its own run).
ARCHIVE_RUN_ID = 0
# Seconds between progress lines in the log (0 = none).
ARCHIVE_PROGRESS_INTERVAL = 10.0
# End the run cleanly after this long: seconds, or "90m", "2h", "1h30m" (0 or "" = no limit).
# Its outcome is "limited" (exit 0) and the next run goes on with its walk where it stopped.
ARCHIVE_MAX_DURATION = ""
# Markup-drift alarm (archive/drift.py, docs/crawling.md): a portal drifted when, among its last
# ARCHIVE_DRIFT_WINDOW parsed articles (across runs), at least ARCHIVE_DRIFT_MIN_SAMPLES exist and
# a share of at least ARCHIVE_DRIFT_THRESHOLD went to the fallback parser or lack a title, a
# date or a body; the run then logs it, names it in its summary and ends "drift" (exit 1).
# The drift alarm looks at this many of each portal's last parsed articles.
ARCHIVE_DRIFT_WINDOW = drift.DEFAULT_WINDOW  # 50
# The share of degraded articles in that window (0 < x <= 1) that is drift.
ARCHIVE_DRIFT_THRESHOLD = drift.DEFAULT_THRESHOLD  # 0.2
# Fewer samples than this in the window never raise the alarm.
ARCHIVE_DRIFT_MIN_SAMPLES = drift.DEFAULT_MIN_SAMPLES  # 20
# The archive's writer groups items into transactions (archive.batch.BatchWriter): it commits
# after this many writes at most, ...
ARCHIVE_BATCH_ITEMS = defaults.BATCH_ITEMS  # 200
# ... this many seconds after the transaction opened at the latest, ...
ARCHIVE_BATCH_SECONDS = defaults.BATCH_SECONDS  # 0.5
# ... and when no item has come for this many seconds. A kill loses at most the open batch,
# which the next run fetches again.
ARCHIVE_BATCH_IDLE_SECONDS = defaults.BATCH_IDLE_SECONDS  # 0.02

# --------------------------------------------------------------------------- politeness

# Names the project and where to read about it (and whom to contact).
USER_AGENT = (
    "most-archive/0.1 (+https://github.com/most-archive/most-archive; "
    "news archive of www.most.gov.vn)"
)
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1  # one request at a time per host
DOWNLOAD_DELAY = 1.0  # seconds between requests to the host (--delay); Crawl-delay wins if longer
DOWNLOAD_DELAY_JITTER = 0.5  # each delay varies by ±50%
AUTOTHROTTLE_ENABLED = True  # slows down further when the server does
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# Seconds per try of a request (Scrapy's timeout covers the whole transfer): a URL that hangs
# is given up after (1 + ARCHIVE_TIMEOUT_RETRIES) tries; a transfer that makes progress gets
# longer tries (ARCHIVE_MAX_TRANSFER_SECONDS).
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 5
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 408, 522, 524]
# "Gave up retrying" is an INFO line: the spider logs each failure itself, once, as a warning
# (and an unreachable site as one line), so cron logs carry no duplicate ERROR lines.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
REDIRECT_MAX_TIMES = 5
# A listing page's redirect is fetched even to a page already fetched (the home page): the
# spider then records where the page landed instead of its walk ending without a word.
DUPEFILTER_CLASS = "crawler.dupefilter.ListingRedirectsDupeFilter"
METAREFRESH_ENABLED = False  # the news pages never need it; a hostile one could misdirect us
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no listening port during a crawl
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
# A body shorter than its Content-Length fails (and is retried), never passes as a whole one;
# a close-delimited body is judged by its own end (crawler.parsers.completeness).
DOWNLOAD_FAIL_ON_DATALOSS = True

DOWNLOADER_MIDDLEWARES = {
    # keeps every request on the site's hosts (links and redirects) and sets the size limit
    "crawler.middlewares.SiteGuardMiddleware": 50,
    # images and attachments never from an internal address unless the site is on one
    "crawler.requisites.RequisiteGuardMiddleware": 60,
    # robots.txt: an error page means no rules; Crawl-delay honoured
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsRulesMiddleware": 100,
    # retries with exponential backoff honouring Retry-After
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    # a page that redirects to itself: a cookie check answered with its cookie, else a failure
    # (before Scrapy's redirect middleware, 600, sees the redirect)
    "crawler.cookiecheck.CookieCheckMiddleware": 650,
}
# an exception a callback raises is a recorded failure of its page (next to the spider)
SPIDER_MIDDLEWARES = {"crawler.middlewares.CallbackErrorsMiddleware": 950}
ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
# Outputs of one callback handled at once. Every write goes through the pipeline's one writer
# thread, so more buys nothing; Scrapy starts this many asyncio tasks for every response (its
# default of 100 took about a fifth of a crawl's CPU).
CONCURRENT_ITEMS = 8
EXTENSIONS = {
    "crawler.middlewares.ProgressLog": 500,
    "crawler.timelimit.TimeLimit": 510,  # ARCHIVE_MAX_DURATION
}
# Scrapy's components that the settings above switch off (the telnet console, the remote
# control, cookies) are also left out of its base lists: Scrapy imports every component its
# lists name, even one set to None, and their imports (aiohttp, tldextract with requests) took
# about a third of the CPU a crawl spends before its first request. Any other base component,
# one a later Scrapy adds included, is kept.
_NEVER_ON = (
    "scrapy.extensions.telnet.TelnetConsole",  # TELNETCONSOLE_ENABLED = False
    "scrapy.extensions.remote_control.RemoteControl",  # REMOTE_CONTROL_ENABLED = False
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",  # COOKIES_ENABLED = False
)
EXTENSIONS_BASE = {k: v for k, v in _scrapy.EXTENSIONS_BASE.items() if k not in _NEVER_ON}
DOWNLOADER_MIDDLEWARES_BASE = {
    k: v for k, v in _scrapy.DOWNLOADER_MIDDLEWARES_BASE.items() if k not in _NEVER_ON
}

LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 0.0  # ProgressLog reports instead
FEED_EXPORT_ENCODING = "utf-8"
