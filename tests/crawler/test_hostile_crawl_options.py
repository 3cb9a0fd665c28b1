"""Hostile values given to ``most-archive crawl`` and ``scrapy crawl most``: a usage error (exit 2)
before any network and before the archive is touched, never a traceback, a value silently read
as something else, or a run that never ends (crawler.settingtypes, crawler.cli, crawler.urls)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler import settingtypes
from most_archive.cli import main

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = "http://127.0.0.1:1"

# (setting, value): each was a traceback, silently ignored, or a run that never ended
HOSTILE_SETTINGS = [
    ("ARCHIVE_MAX_PAGES", "abc"),
    ("ARCHIVE_MAX_PAGES", ""),
    ("ARCHIVE_MAX_PAGES", "-1"),
    ("ARCHIVE_MAX_PAGES", "1e309"),
    ("ARCHIVE_MAX_PAGES", "²"),
    ("ARCHIVE_RECHECK_LIMIT", "99999999999999999999999"),  # SQLite's INTEGER overflow
    ("ARCHIVE_MAX_FILES_PER_ARTICLE", "99999999999999999999999"),
    ("ARCHIVE_INCREMENTAL", "abc"),
    ("ARCHIVE_FETCH_FILES", ""),
    ("ARCHIVE_DISCOVERY", "abc"),  # was read as True without a word
    ("ARCHIVE_FETCH_DISPLAYED_IMAGES", "nope"),
    ("ARCHIVE_RECHECK_AT", "abc"),
    ("ARCHIVE_RECHECK_AT", "99999999999999999999999"),
    ("ARCHIVE_MAX_DURATION", "abc"),  # was ignored: the run had no time limit at all
    ("ARCHIVE_MAX_DURATION", "-1"),
    ("ARCHIVE_MAX_DURATION", "1e-9"),  # the run did nothing, "limited", exit 0
    ("ARCHIVE_MAX_PAGES_BOUND", "abc"),  # ended the run with no summary and exit 0
    ("ARCHIVE_STOP_AFTER_KNOWN_PAGES", "abc"),
    ("ARCHIVE_MAX_LINKS_PER_PAGE", "1e309"),
    ("ARCHIVE_MAX_RESPONSE_BYTES", "-1"),
    ("ARCHIVE_MAX_PAGE_BYTES", "abc"),
    ("ARCHIVE_TIMEOUT_RETRIES", ""),
    ("ARCHIVE_MAX_TRANSFER_SECONDS", "nan"),
    ("ARCHIVE_RETRY_BACKOFF", "inf"),
    ("ARCHIVE_RETRY_MAX_WAIT", "1e309"),
    ("ARCHIVE_MAX_CRAWL_DELAY", "-1"),
    ("ARCHIVE_PROGRESS_INTERVAL", "-1"),  # a traceback from the progress timer
    ("ARCHIVE_DRIFT_WINDOW", "-1"),
    ("ARCHIVE_DRIFT_THRESHOLD", "1e309"),
    ("ARCHIVE_DRIFT_THRESHOLD", "0"),
    ("ARCHIVE_DRIFT_MIN_SAMPLES", "abc"),
    ("ARCHIVE_BATCH_ITEMS", "abc"),
    ("ARCHIVE_BATCH_SECONDS", ""),
    ("ARCHIVE_BATCH_IDLE_SECONDS", "-1"),  # the writer never committed: the crawl hung
    ("ARCHIVE_FALLBACK_SITES", "abc"),
    ("ARCHIVE_RUN_ID", "abc"),
    ("DOWNLOAD_DELAY", "nan"),  # read as no delay at all
    ("DOWNLOAD_DELAY", "1e308"),  # the first request waited for ever
    ("DOWNLOAD_TIMEOUT", "0"),
    ("AUTOTHROTTLE_MAX_DELAY", "inf"),
    ("CONCURRENT_REQUESTS", "0"),
    ("RETRY_TIMES", "abc"),
    # Scrapy's own, by the type of their default
    ("LOG_LEVEL", "abc"),  # a traceback, exit 0
    ("DOWNLOAD_MAXSIZE", "abc"),  # a traceback
    ("ITEM_PIPELINES", "abc"),  # a JSONDecodeError traceback
    ("CLOSESPIDER_TIMEOUT", "abc"),
    ("DEPTH_LIMIT", "nan"),
    ("RETRY_HTTP_CODES", "abc"),  # the run failed on an internal error, its cause unsaid
    # no such setting: silently nothing (a typo'd limit was no limit at all)
    ("ARCHIVE_MAX_PAGE", "3"),
    ("archive_max_pages", "3"),
    ("ARCHIVE_NOSUCH_SETTING", "1"),
    ("DOWNLOAD_DELAYS", "1"),
]


def _invoke(*args: str, db: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["crawl", "--db", str(db), "--site", UNREACHABLE, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


@pytest.mark.parametrize(("name", "value"), HOSTILE_SETTINGS)
def test_a_hostile_setting_is_a_usage_error_before_anything(
    tmp_path: Path, name: str, value: str
) -> None:
    db = tmp_path / "a.db"
    code, output = _invoke("-s", f"{name}={value}", "--delay", "0", db=db)
    assert code == 2, output
    assert name in output and "Traceback" not in output
    assert not db.exists(), "a usage error must not touch the archive"


@pytest.mark.parametrize(
    "value", ["nan", "inf", "1e308", "1e309", "-inf", "100000000000000000000000", "86401"]
)
def test_a_delay_that_is_no_number_or_never_ends_is_refused(tmp_path: Path, value: str) -> None:
    db = tmp_path / "a.db"
    code, output = _invoke("--delay", value, db=db)
    assert code == 2, output
    assert "--delay" in output and not db.exists()


@pytest.mark.parametrize("value", ["1e-9", "0.5", "0.5s"])
def test_a_time_limit_too_short_to_do_anything_is_refused(tmp_path: Path, value: str) -> None:
    """`--max-duration 1e-9` ended the run before its first request: "limited", exit 0."""
    db = tmp_path / "a.db"
    code, output = _invoke("--max-duration", value, db=db)
    assert code == 2, output
    assert "--max-duration" in output and not db.exists()


def test_a_long_delay_is_kept_over_autothrottles_ceiling() -> None:
    """--delay 120 was cut to AutoThrottle's 60 s ceiling after the first answer, silently."""
    from crawler.run import CrawlOptions, build_settings

    settings = build_settings(CrawlOptions(site=UNREACHABLE, db=Path("a.db"), delay=120.0), 1)
    assert settings.getfloat("DOWNLOAD_DELAY") == 120.0
    assert settings.getfloat("AUTOTHROTTLE_MAX_DELAY") >= 120.0
    default = build_settings(CrawlOptions(site=UNREACHABLE, db=Path("a.db"), delay=2.0), 1)
    assert default.getfloat("AUTOTHROTTLE_MAX_DELAY") == 60.0


@pytest.mark.parametrize("name", ["ARCHIVE_DB", "ARCHIVE_SITE", "ARCHIVE_SITES", "ARCHIVE_RUN_ID"])
def test_settings_the_command_owns_are_refused_with_the_option_to_use(
    tmp_path: Path, name: str
) -> None:
    """`-s ARCHIVE_DB=other.db` wrote the articles into other.db while the run, its lock and its
    outcome were in --db; `-s ARCHIVE_RUN_ID=7` wrote under another run's row."""
    db = tmp_path / "a.db"
    value = {"ARCHIVE_DB": str(tmp_path / "other.db"), "ARCHIVE_RUN_ID": "7"}.get(name, UNREACHABLE)
    code, output = _invoke("-s", f"{name}={value}", db=db)
    assert code == 2, output
    assert name in output and not db.exists() and not (tmp_path / "other.db").exists()


@pytest.mark.parametrize(
    ("option", "setting"),
    [
        (["--max-pages", "3"], "ARCHIVE_MAX_PAGES=5"),
        (["--max-duration", "1h"], "ARCHIVE_MAX_DURATION=2h"),
        (["--delay", "0"], "DOWNLOAD_DELAY=5"),
        (["--full"], "ARCHIVE_INCREMENTAL=True"),
    ],
)
def test_an_option_and_a_setting_of_the_same_thing_are_refused(
    tmp_path: Path, option: list[str], setting: str
) -> None:
    """`--max-pages 3 -s ARCHIVE_MAX_PAGES=5` walked 5 pages: -s won over the option silently."""
    db = tmp_path / "a.db"
    code, output = _invoke(*option, "-s", setting, db=db)
    assert code == 2, output
    assert option[0] in output and setting.split("=")[0] in output and not db.exists()


def test_an_unknown_setting_names_the_close_ones() -> None:
    assert "did you mean ARCHIVE_MAX_PAGES" in " ".join(
        settingtypes.problems({}.fromkeys(["x"]), ["ARCHIVE_MAX_PAGE"])
    )


def test_another_packages_setting_is_let_through() -> None:
    """A setting of an extension or middleware the user enabled (its own name, far from any
    declared one) is not ours to refuse: a cron line that sets one runs as before."""
    assert settingtypes.problems({"MYEXT_API_TOKEN": "abc"}, ["MYEXT_API_TOKEN"]) == []
    assert settingtypes.problems({"ZYTE_API_KEY": "k"}, ["ZYTE_API_KEY"]) == []


def test_good_values_pass() -> None:
    good = {
        "ARCHIVE_MAX_PAGES": "3",
        "ARCHIVE_INCREMENTAL": "false",
        "ARCHIVE_FETCH_FILES": "0",
        "ARCHIVE_RECHECK_AT": "2100-01-01T00:00:00+00:00",
        "ARCHIVE_MAX_DURATION": "1h30m",
        "ARCHIVE_DRIFT_THRESHOLD": "1",
        "ARCHIVE_FALLBACK_SITES": "https://most.mst.gov.vn, https://www.most.gov.vn",
        "DOWNLOAD_DELAY": "0.25",
        "LOG_LEVEL": "WARNING",
        "ITEM_PIPELINES": '{"crawler.pipelines.ArchivePipeline": 300}',
        "CLOSESPIDER_TIMEOUT": "1.5",
        "DEPTH_PRIORITY": "-1",
        "TELNETCONSOLE_ENABLED": "False",
        "RETRY_HTTP_CODES": "429, 503",
    }
    known = settingtypes.defaults()
    assert [settingtypes.problem(n, v, known) for n, v in good.items()] == [None] * len(good)


def test_every_archive_setting_has_a_rule() -> None:
    declared = re.findall(
        r"^(ARCHIVE_[A-Z_]+) =", (ROOT / "crawler" / "settings.py").read_text(), re.M
    )
    assert declared and sorted(set(declared) - set(settingtypes.RULES)) == []


def test_the_project_defaults_pass() -> None:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    assert settingtypes.problems(settings) == []


@pytest.mark.parametrize(
    "site",
    [
        "http://[v1.x]:1/",  # an IPvFuture literal taken for a host name: hung for ever
        "http://user:secret@127.0.0.1:1/",  # credentials in the base, sent to every host
        "http://127.0.0.1\x00:1/",
        # a host longer than DNS allows: Scrapy dropped the URL unsaid and the run was "ok"
        "http://" + "a" * 100_000 + ":1/",
        "http://" + "a" * 64 + ".example/",
        "http://" + ".".join(["a" * 60] * 5) + "/",
    ],
)
def test_a_site_url_that_hung_or_carried_credentials_is_a_usage_error(
    tmp_path: Path, site: str
) -> None:
    db = tmp_path / "a.db"
    result = CliRunner().invoke(main, ["crawl", "--db", str(db), "--site", site])
    assert result.exit_code == 2, result.output
    assert "--site" in result.output and not db.exists()


def test_a_site_url_is_read_as_its_base_in_one_form() -> None:
    from crawler.urls import normalise_site

    # the port's zeros were kept in the base: every link looked offsite, the crawl hung for ever
    assert normalise_site("http://127.0.0.1:00001/") == "http://127.0.0.1:1"
    assert normalise_site("HTTP://[::1]:080/x") == "http://[::1]:80"
    assert normalise_site("http://Host.Example:/") == "http://host.example"
    assert normalise_site("http://127.0.0.1:1/" + "a" * 100_000 + "\x00") == "http://127.0.0.1:1"
    longest = ".".join(["a" * 63] * 3 + ["b" * 61])  # 253 characters, each label 63 at most
    assert normalise_site(f"http://{longest}/") == f"http://{longest}"
    assert normalise_site("http://bücher.example/") == "http://bücher.example"


def test_one_site_spelled_several_ways_is_crawled_once() -> None:
    """`--site http://h/ --site HTTP://h/x --site http://h:0PORT` crawled the same site three
    times, three runs, in one command."""
    from crawler.urls import site_bases

    spellings = ["http://127.0.0.1:8765/", "HTTP://127.0.0.1:8765/x", "http://127.0.0.1:08765"]
    assert site_bases([*spellings, "https://mst.gov.vn/"]) == [
        "http://127.0.0.1:8765",
        "https://mst.gov.vn",
    ]


def test_scrapy_crawl_most_refuses_a_hostile_setting(tmp_path: Path) -> None:
    """`scrapy crawl most -s ARCHIVE_MAX_PAGES=abc` ended in a ValueError traceback from the
    spider's start: now Scrapy's own usage error, before anything is opened."""
    from scrapy.exceptions import UsageError
    from scrapy.settings import Settings

    from crawler.spiders.most import MostSpider

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("ARCHIVE_MAX_PAGES", "abc", priority="cmdline")
    with pytest.raises(UsageError, match="ARCHIVE_MAX_PAGES"):
        MostSpider.update_settings(settings)


def test_a_log_file_that_refuses_writes_is_said_once_without_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--log-file /dev/full` printed a "--- Logging error ---" traceback for every log line."""
    import logging

    from crawler.run import _LogFile

    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    handler = _LogFile("/dev/full", encoding="utf-8")
    try:
        for n in range(3):
            handler.handle(logging.LogRecord("t", logging.INFO, __file__, 1, f"line {n}", (), None))
    finally:
        handler.close()
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Logging error" not in err
    assert err.count("cannot write the log to /dev/full") == 1
    assert "line 2" in err  # the log goes on, on stderr
