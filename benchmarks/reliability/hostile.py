"""The hostile-server table (issue 13): each attack, what must happen, and what did.

Every row names the tests that stage the attack for real (a replica or a page server on
127.0.0.1, the real command in a subprocess, the real archive) and check the expected outcome.
:func:`run_hostile` runs them all in one pytest process and reads the result of each from its
JUnit XML: the *observed* column is measured, never typed in. A row holds when every one of its
tests passed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.reliability.running import ROOT


@dataclass(frozen=True)
class Attack:
    """One row: the attack, where issue 13 names it (or "held" before it), the outcome the
    crawl must give, and the tests (pytest node ids, prefixes allowed) that check it."""

    name: str
    point: str
    expected: str
    tests: tuple[str, ...]


E2E = "tests/e2e/"
SEC = "tests/reliability/test_security.py::"
PAGER = E2E + "test_endless_pager.py::"
MACHINE = E2E + "test_hostile_machine.py::"
LIMITS = E2E + "test_limits.py::"
SLOW = E2E + "test_slow_server.py::"
EXPORT = "tests/archive/test_export.py::"
BACKUP = "tests/archive/test_backup.py::"
UNUSABLE = "tests/archive/test_unusable_databases.py::"
OPTIONS = "tests/crawler/test_hostile_crawl_options.py::"
ATTACKS: tuple[Attack, ...] = (
    Attack(
        "a pager that repeats its items forever",
        "13.1",
        "the category ends at the first repeated page; run ok, not interrupted",
        (PAGER + "test_a_pager_repeating_its_items_ends",),
    ),
    Attack(
        "a pager that invents new items forever",
        "13.1",
        "stopped at the safety bound, logged; run limited, exit 1",
        (
            PAGER + "test_a_pager_inventing_items_stops_at_the_bound",
            PAGER + "test_the_mst_walk_has_the_same_safety_bound",
        ),
    ),
    Attack(
        "disk full while storing (RLIMIT_FSIZE)",
        "13.2",
        "counted, crawl stopped at once; run failed, exit 1",
        (MACHINE + "test_storage_failures_fail_the_run_and_stop_it_early",),
    ),
    Attack(
        "a page limit set as a setting (-s, scrapy crawl -s)",
        "13.3",
        "run limited, exit 0; the next run walks the gap",
        (LIMITS + "test_a_limit_makes_the_run_limited_and_the_next_run_fills_the_gap",),
    ),
    Attack(
        "the lock bypassed through a symlinked --db",
        "13.4",
        "one lock per database file; the second crawl waits or exits 75",
        ("tests/archive/test_symlinked_database.py",),
    ),
    Attack(
        "two quick Ctrl-C's",
        "13.5",
        "the process ends promptly; run interrupted, exit 1",
        (MACHINE + "test_two_quick_signals_end_the_crawl_promptly_as_interrupted",),
    ),
    Attack(
        "terminal escapes and bidi overrides in page text",
        "13.6",
        "never in parsed fields; escaped by show, search, diff, stats",
        ("tests/archive/test_terminal_escapes.py",),
    ),
    Attack(
        "a query nested 250 parentheses deep",
        "13.7",
        "exit 2 in the CLI, HTTP 400 in serve",
        ("tests/archive/test_query_nesting.py",),
    ),
    Attack(
        "pages cut short (Content-Length of the half, close-delimited)",
        "13.8",
        "a failed fetch, never stored; the next run gets it",
        (E2E + "test_truncated.py", "tests/parsers/test_completeness.py"),
    ),
    Attack(
        "a URL that hangs",
        "13.9",
        "two tries, about a minute in all (2 x DOWNLOAD_TIMEOUT)",
        (SLOW + "test_a_hanging_url_is_tried_twice_then_given_up",),
    ),
    Attack(
        "a large file arriving slowly but steadily",
        "13.9",
        "not cut short: a longer try while bytes arrive",
        (SLOW + "test_a_large_file_arriving_steadily_is_not_cut_short",),
    ),
    Attack(
        "a listing of thousands of links / over 8 MiB",
        "13.9",
        "at most 1,000 links followed; a page over 8 MiB refused",
        (SLOW + "test_a_huge_listing_is_bounded",),
    ),
    Attack(
        "bad --site, corrupt / read-only / foreign databases",
        "13.10",
        "one-line errors, exit 2 or 1, no traceback; a foreign database or file untouched, "
        "no lock file left beside it",
        (
            "tests/archive/test_unusable_databases.py",
            "tests/archive/test_lock.py::test_no_lock_file_is_left_beside_a_file_that_is_no_archive",
        ),
    ),
    Attack(
        "an unreachable site",
        "13.10",
        "one log line, no traceback; run unreachable, exit 1",
        (E2E + "test_unreachable.py",),
    ),
    Attack(
        "re-parse of a page fetched through the legacy URL",
        "13.11",
        "the friendly URL is kept",
        (
            "tests/archive/test_reparse.py::test_reparse_keeps_the_friendly_url_of_a_page_fetched_"
            "through_the_legacy_form",
        ),
    ),
    Attack(
        "reparse --parser-version nonsense",
        "13.11",
        "usage error, exit 2",
        ("tests/archive/test_reparse_usage.py",),
    ),
    Attack(
        "a firewall's bot challenge (a script that sets a cookie and reloads) served, status "
        "200, instead of the pages",
        "held",
        "a failure named a bot challenge, never read as a page (no markup-drift alarm, no "
        "'home page lists no category'), counted in the summary; run partial, exit 1; the next "
        "run let through archives what was refused",
        (E2E + "test_bot_challenge.py", "tests/parsers/test_challenge.py"),
    ),
    Attack(
        "pages that redirect to themselves: a CDN's cookie check (302 to the same URL setting a "
        "cookie), or no cookie to keep",
        "held",
        "the cookie goes back to its host, once, and the site is archived whole (it was 'ok', "
        "exit 0, with nothing archived: the duplicate filter dropped the redirects); a page "
        "that redirects to itself anyway is a recorded failure, run partial, exit 1",
        (E2E + "test_cookie_check.py",),
    ),
    Attack(
        "robots.txt answered with a server error (503), retries spent",
        "held",
        "read as 'disallow all' (RFC 9309 §2.3.1.4): nothing else asked for, each refused page "
        "a recorded failure, run partial, exit 1, the summary saying robots.txt failed (it was "
        "read as no rules: the whole site crawled, 'ok', exit 0); a 4xx is still no rules",
        (
            E2E + "test_robots.py::test_a_robots_txt_the_server_fails_to_give_fails_the_run",
            E2E + "test_robots.py::test_a_robots_txt_not_found_still_means_no_rules",
        ),
    ),
    Attack(
        "a decompression bomb (gzip)",
        "held",
        "cut off at the size limit, recorded",
        ("tests/reliability/test_hostile_held.py::test_a_gzip_bomb_is_cut_off",),
    ),
    Attack(
        "an oversized answer",
        "held",
        "cut off at the size limit, recorded",
        (SEC + "test_oversized_response_is_cut_off_at_the_limit",),
    ),
    Attack(
        "a slow drip",
        "held",
        "archived when in time, a recorded timeout otherwise",
        ("tests/reliability/test_faults.py::test_fault[slow-drip-0-5-s]",),
    ),
    Attack(
        "redirects to another article, offsite or metadata addresses",
        "held",
        "never followed off the site, never filed under another article",
        (
            SEC + "test_a_redirect_never_files_one_article_under_another",
            SEC + "test_offsite_links_and_redirects_are_never_fetched",
        ),
    ),
    Attack(
        "wrong or missing charsets",
        "held",
        "the text read right",
        tuple(
            f"tests/parsers/test_fixtures.py::test_fixture[charset-{c}]"
            for c in (
                "latin1-bytes",
                "none-declared-utf8-bom",
                "utf8-with-bad-bytes",
                "wrong-declaration",
            )
        ),
    ),
    Attack(
        "script, event handlers, javascript: URLs in pages (XSS)",
        "held",
        "never stored active, never served active",
        (
            SEC + "test_stored_body_html_has_no_active_content",
            SEC + "test_serve_article_page_shows_no_active_content",
        ),
    ),
    Attack(
        "writes through Datasette (serve)",
        "held",
        "refused; the file is unchanged",
        ("tests/archive/test_serve.py::test_serving_writes_nothing",),
    ),
    Attack(
        "an id or page number beyond 64 bits in a link or pager",
        "held",
        "no id, no page number: the link is no article's; the run goes on (it failed every run)",
        (
            "tests/reliability/test_huge_numbers.py::test_a_number_beyond_64_bits_is_no_id_and_no_page",
        ),
    ),
    Attack(
        "scrapy crawl most on an archive another crawl holds, or on a file that is no archive",
        "held",
        "one line, exit 75 (the lock) or 1 (the file), before the crawl starts; it was a "
        "cascade of tracebacks (the pipeline's open, its close, Scrapy's stats)",
        (
            "tests/e2e/test_hostile_crawl_options.py::"
            "test_scrapy_crawl_most_on_a_held_or_unusable_archive_says_so_in_one_line",
        ),
    ),
    Attack(
        "a setting that drops every request before it is sent (-s URLLENGTH_LIMIT=10)",
        "held",
        "run failed, exit 1, 'nothing was fetched' in the summary and the log; it was 'ok', "
        "exit 0, with nothing fetched",
        ("tests/e2e/test_hostile_crawl_options.py::test_a_run_that_fetched_nothing_is_never_ok",),
    ),
    Attack(
        "an id, category or count beyond 64 bits (or '²') typed into show, diff, search, "
        "export or the web view",
        "held",
        "no article, no category: the command's own 'no match' answer (exit 1 for show and "
        "diff, HTTP 404), a count beyond any archive read as 'all'; never a traceback or 500",
        ("tests/archive/test_numbers_beyond_ids.py",),
    ),
    Attack(
        "--until 9999 (or 9999-12, 9999-12-31): a period with no next day",
        "held",
        "every article to the end of 9999; never an OverflowError or 'year 10000 is out of range'",
        (
            "tests/archive/test_hostile_cli_input.py::test_until_the_last_year_a_date_can_name_takes_every_article",
        ),
    ),
    Attack(
        "text that is not UTF-8 ($'\\xff') typed into a query, a name, an id or URL, a host",
        "held",
        "a usage error naming the bytes (exit 2); never a UnicodeEncodeError traceback",
        ("tests/archive/test_hostile_cli_input.py::test_text_that_is_not_utf8_is_a_usage_error",),
    ),
    Attack(
        "a --db, backup DEST or -o that is empty, a name too long, or in a folder one cannot enter",
        "held",
        "a usage error with the system's reason (exit 2); never an OSError or ValueError traceback",
        (
            "tests/archive/test_hostile_cli_input.py::test_a_db_path_the_system_refuses_is_a_usage_error",
            "tests/archive/test_hostile_cli_input.py::test_a_db_in_a_folder_one_may_not_enter",
            "tests/archive/test_hostile_cli_input.py::test_an_empty_path_is_a_usage_error",
        ),
    ),
    Attack(
        "an archive or an export under a file name that is not UTF-8",
        "held",
        "read, backed up and exported like any other (serve says it cannot, exit 1)",
        (
            "tests/archive/test_hostile_cli_input.py::test_an_archive_stored_under_a_name_that_is_not_utf8",
        ),
    ),
    Attack(
        "the lock file of migrate cannot be created; $MOST_ARCHIVE_WACZ names no program, or "
        "the program fails in bytes not UTF-8; serve --host that is no host name",
        "held",
        "'Error: …' naming the cause (exit 1); never a traceback",
        (
            "tests/archive/test_hostile_cli_input.py::test_migrate_says_when_its_lock_cannot_be_created",
            "tests/archive/test_hostile_cli_input.py::test_a_wacz_program_that_is_no_file",
            "tests/archive/test_hostile_cli_input.py::test_a_wacz_program_that_fails_in_bytes_not_utf8",
            "tests/archive/test_hostile_cli_input.py::test_serve_refuses_a_host_that_is_no_name",
        ),
    ),
    Attack(
        "standard output that refuses writes (> /dev/full: a full disk under a redirection)",
        "held",
        "'Error: cannot write standard output: …', exit 1, as for -o /dev/full; no traceback",
        ("tests/archive/test_hostile_cli_input.py::test_standard_output_that_refuses_writes",),
    ),
    Attack(
        "a query ending in an open parenthesis ('NEAR(', 'x (')",
        "held",
        "'unbalanced parenthesis: … never closed' (exit 2; the web search page says it), "
        "not 'empty query'",
        (
            "tests/archive/test_hostile_cli_input.py::test_a_parenthesis_left_open_at_the_end_is_named",
        ),
    ),
    Attack(
        "a WARC or WACZ export whose filter selects nothing (--category ², --query zzzz)",
        "held",
        "'exported 1 WARC records' and, on stderr, the filter that selects nothing, as JSON "
        "Lines and CSV say it",
        (
            "tests/archive/test_hostile_cli_input.py::test_an_export_that_selects_nothing_says_which_filter",
        ),
    ),
    Attack(
        "a named pipe in the files folder where a stored file should be (export --format warc)",
        "held",
        "left out with a warning, as a missing file; never a hang",
        (
            "tests/archive/test_hostile_cli_input.py::test_a_stored_file_replaced_by_a_pipe_is_left_out_of_a_warc",
        ),
    ),
    Attack(
        "query strings Datasette's table views cannot run: ?_sort=x, a number beyond 64 bits "
        "or '²', %00, JSON that is not, a bad _through, a short row key",
        "held",
        "HTTP 400 with a message (JSON for .json); never a 500",
        (
            "tests/archive/test_hostile_cli_input.py::test_datasette_table_views_answer_400_for_values_they_cannot_run",
        ),
    ),
    Attack(
        "a page nested deeper than the HTML parser reads (256 elements)",
        "held",
        "not read at all (a recorded failure), never archived cut after the nest",
        (
            "tests/parsers/test_depth.py::test_a_page_nested_too_deep_is_not_read_cut",
            "tests/parsers/test_depth.py::test_a_page_nested_less_deep_is_read_in_full",
        ),
    ),
    Attack(
        "a page that makes the parser raise (charset=rot13 on a page not in UTF-8)",
        "held",
        "read as UTF-8; any exception of a callback is a recorded failure (run partial), never "
        "a page lost under an ok run",
        (
            "tests/reliability/test_odd_charsets.py::test_an_odd_declared_charset_is_read_as_utf8",
            "tests/parsers/test_text.py::test_a_charset_no_page_is_written_in_is_not_used",
            "tests/crawler/test_public_scrapy_api.py::"
            "test_an_exception_in_a_callback_is_a_recorded_failure_of_its_page",
        ),
    ),
    Attack(
        "robots.txt asking Crawl-delay: 1e308",
        "held",
        "honoured up to ARCHIVE_MAX_CRAWL_DELAY (60 s), with a warning; the crawl ends",
        (E2E + "test_robots.py::test_a_crawl_delay_beyond_reason_is_capped",),
    ),
    Attack(
        "a sitemap whose shards are indexes of new shards, forever",
        "held",
        "an index inside a shard is not followed; the walk goes on and ends",
        (E2E + "test_endless_sitemap.py::test_an_index_inside_a_shard_is_not_followed",),
    ),
    Attack(
        "206 Partial Content to a request for the whole page or file",
        "held",
        "a part never archived as the page or file; retried, then recorded; run partial, exit 1",
        (
            "tests/reliability/test_partial_content.py::test_a_206_answer_is_never_archived_as_the_whole",
        ),
    ),
    Attack(
        "a date beyond the calendar (9999-12-31T23:00-05:00) in a page's meta or a sitemap",
        "held",
        "no date from it (the article keeps its id's time; the shard its other entries); "
        "never a parser crash that fails the page every run",
        (
            "tests/parsers/test_mst.py::test_a_meta_time_beyond_the_calendar_leaves_the_ids_time",
            "tests/parsers/test_mst_discovery.py::"
            "test_a_lastmod_beyond_the_calendar_loses_no_entry",
        ),
    ),
    Attack(
        "validators that lie: 304 to every conditional request, the page changed or not",
        "held",
        "a 304 is trusted for three re-check intervals after the last whole page; then the "
        "whole page is asked for and the edit becomes a revision (never hidden for good)",
        (
            E2E + "test_incremental.py::test_validators_that_lie_delay_an_edit_but_never_hide_it",
            "tests/archive/test_store_runs.py::"
            "test_a_304_is_trusted_for_three_intervals_then_the_whole_page_is_asked",
        ),
    ),
    Attack(
        "an article page listing thousands of images and attachments",
        "held",
        "at most ARCHIVE_MAX_FILES_PER_ARTICLE (1,000) of each fetched, in this run and later "
        "ones, with a warning; the article still lists them all",
        (SLOW + "test_an_article_of_thousands_of_images_is_bounded",),
    ),
    Attack(
        "a maintenance notice or error page served with 200 at an archived article's URL",
        "held",
        "never replaces the version the portal's parser read: a recorded failure, retried "
        "next run; the drift alarm counts it",
        (
            E2E + "test_drift.py::"
            "test_a_page_read_by_the_fallback_never_replaces_a_version_read_by_the_portal",
            "tests/archive/test_store_runs.py::"
            "test_a_fallback_read_never_replaces_a_portal_parsers_version",
        ),
    ),
    Attack(
        "robots.txt forbidding the whole site (Disallow: /)",
        "held",
        "obeyed: nothing but robots.txt fetched; run forbidden, exit 1 (not ok), the summary "
        "says why",
        (E2E + "test_robots.py::test_a_site_whose_robots_txt_forbids_everything_is_not_an_ok_run",),
    ),
    Attack(
        "a run under a clock set four years ahead, or a page dated 2205",
        "held",
        "the articles that run checked are due at once when the clock is right again, their "
        "validators untrusted; a date still to come gives no age (first seen counts)",
        ("tests/archive/test_clock_jumps.py",),
    ),
    Attack(
        "a sitemap shard whose lastmod lies years ahead (a typo, a server clock)",
        "held",
        "counts as undated: the newest shard by a believable lastmod is the one an incremental "
        "run reads; lastmods compared as instants, whatever their form",
        ("tests/crawler/test_mst_portal.py::test_the_newest_shard_is_decided_by_time_not_by_text",),
    ),
    Attack(
        "an error page served with status 200 for an image or attachment",
        "held",
        "never stored as the file; a failed fetch (run partial, exit 1), fetched again by the "
        "next run",
        (E2E + "test_soft_not_found.py::test_an_error_page_served_as_an_image_is_no_file",),
    ),
    Attack(
        "maintenance: every page but the home page redirects there, or answers 404",
        "held",
        "no archived article withdrawn (the site served no listing or article either); the "
        "re-checks are "
        "failed ones, the run partial (exit 1) saying the whole site answered so; all live "
        "again once the site is back",
        (E2E + "test_withdrawn.py::test_a_site_that_sends_every_page_home_withdraws_nothing",),
    ),
    Attack(
        "a publish date or category corrected on the site, the text the same",
        "held",
        "the archived article takes the corrected date and category (and new markup, alt "
        "text) without a new revision, on a re-check and on a reparse; a date the page no "
        "longer shows is kept",
        (
            "tests/archive/test_store.py::"
            "test_an_unchanged_version_follows_the_page_outside_its_content",
            "tests/archive/test_reparse.py::"
            "test_a_fixed_date_reader_corrects_the_dates_without_new_revisions",
        ),
    ),
    Attack(
        "export -o / backup onto a pipe, a device or a link",
        "held",
        "a pipe or device written through, never renamed over; backup refuses it; a link kept",
        (
            EXPORT + "test_output_into_a_named_pipe_writes_through_it",
            EXPORT + "test_output_through_a_link_replaces_the_file_it_points_to",
            BACKUP + "test_backup_never_renames_over_a_pipe_or_device",
            BACKUP + "test_backup_through_a_link_replaces_the_file_it_points_to",
        ),
    ),
    Attack(
        "--db that is a device or a named pipe",
        "held",
        "refused at once, exit 1; nothing written beside it (no lock, no journal); no hang",
        (
            UNUSABLE + "test_writers_refuse_a_device_and_leave_nothing_beside_it",
            UNUSABLE + "test_the_writer_refuses_a_device_and_a_pipe",
            UNUSABLE + "test_readers_refuse_a_pipe_at_once",
        ),
    ),
    Attack(
        "formulas in page text (CSV injection: =HYPERLINK(...), DDE)",
        "held",
        "export --excel begins such a cell with ' (text to Excel); plain CSV is the text as is",
        (
            "tests/archive/test_small_points.py::"
            "test_excel_csv_keeps_a_hostile_page_from_running_formulas",
        ),
    ),
    Attack(
        "a page holding one word 300,000 times, then searched for",
        "held",
        "its snippet looks at the matches inside each window only: search and serve answer "
        "(every match against every other: 5 s at 20,000 matches, about 20 minutes at 300,000); "
        "the same snippet as before",
        (
            "tests/archive/test_search.py::"
            "test_a_word_repeated_all_over_a_page_does_not_hang_its_snippet",
            "tests/archive/test_search.py::"
            "test_snippet_is_the_same_as_every_match_against_every_match",
        ),
    ),
    Attack(
        "a paragraph of 300,000 words edited, or 60,000 paragraphs reversed, then diffed",
        "held",
        "diff --word and the web view answer: common ends set aside, a middle beyond "
        "4,000,000 word pairs shown whole (every word against every other: 33 s at 50,000 words, "
        "growing with the square)",
        (
            "tests/archive/test_revision_tools.py::"
            "test_a_word_changed_in_a_huge_paragraph_is_shown_alone_without_hanging",
            "tests/archive/test_revision_tools.py::"
            "test_two_unrelated_huge_paragraphs_are_shown_whole_without_hanging",
            "tests/archive/test_revision_tools.py::"
            "test_a_line_changed_among_a_huge_number_of_lines_without_hanging",
        ),
    ),
    Attack(
        "a response of 30 empty comments and no element; a pager info of 100,000 digits",
        "held",
        "the completeness check (run on every response) and the listing parser answer at once "
        "(their patterns backtracked for hours, the crawl stalled on the one page)",
        (
            "tests/parsers/test_hostile_values.py::test_completeness_of_30_empty_comments",
            "tests/parsers/test_hostile_values.py::test_listing_paging_info_of_100000_digits",
        ),
    ),
    Attack(
        "hostile values in pages: 'http://[::1' links, 5,000-digit numbers, surrogate "
        "references, odd zone ids",
        "held",
        "no parser raises: such a value is no link, no id, or U+FFFD; the rest of the page is "
        "read (an exception failed the page, or a whole feed or shard, on every run)",
        (
            "tests/parsers/test_hostile_values.py::test_every_hostile_value_in_every_slot",
            "tests/parsers/test_hostile_values.py::"
            "test_several_hostile_values_at_once_at_a_hostile_url",
            "tests/parsers/test_hostile_values.py::test_xml_char_ref_to_a_surrogate",
        ),
    ),
    Attack(
        "hostile -s NAME=VALUE values for the crawl ('abc', '', '-1', '1e309', nan, inf, "
        "integers beyond 64 bits) or names no setting has (ARCHIVE_MAX_PAGE), given to "
        "most-archive crawl or scrapy crawl most",
        "held",
        "a usage error naming the setting (exit 2) before the lock, the archive or the network "
        "(a ValueError or OverflowError traceback, a value or a misspelt name ignored, or a "
        "crawl that hung)",
        (
            OPTIONS + "test_a_hostile_setting_is_a_usage_error_before_anything",
            OPTIONS + "test_scrapy_crawl_most_refuses_a_hostile_setting",
            E2E + "test_hostile_crawl_options.py",
        ),
    ),
    Attack(
        "a --delay of nan, inf or 1e308 seconds, or one longer than AutoThrottle's ceiling; "
        "a --max-duration of 1e-9",
        "held",
        "no number, never-ending or too short to do anything: a usage error (exit 2); a long "
        "delay is kept as asked (nan was read as no delay, 1e308 froze the crawl before its "
        "first request, 120 was cut to 60, 1e-9 did nothing and exited 0)",
        (
            OPTIONS + "test_a_delay_that_is_no_number_or_never_ends_is_refused",
            OPTIONS + "test_a_long_delay_is_kept_over_autothrottles_ceiling",
            OPTIONS + "test_a_time_limit_too_short_to_do_anything_is_refused",
        ),
    ),
    Attack(
        "odd --site / -a site URLs: port 00001, an IPvFuture literal, a user and password, "
        "a host of 100,000 characters",
        "held",
        "read in one form (port 1) or a usage error (exit 2), never a crawl that hangs for "
        "ever, a run 'ok' that fetched nothing, or credentials in the base URL; one site "
        "spelled several ways is crawled once",
        (
            OPTIONS + "test_a_site_url_that_hung_or_carried_credentials_is_a_usage_error",
            OPTIONS + "test_a_site_url_is_read_as_its_base_in_one_form",
            OPTIONS + "test_one_site_spelled_several_ways_is_crawled_once",
        ),
    ),
    Attack(
        "-s ARCHIVE_DB, ARCHIVE_SITE(S) or ARCHIVE_RUN_ID given to most-archive crawl, or -s "
        "of what an option beside it sets (--max-pages 3 -s ARCHIVE_MAX_PAGES=5)",
        "held",
        "a usage error naming the option (articles went to another database than the run, its "
        "lock and its outcome; -s won over the option without a word)",
        (
            OPTIONS + "test_settings_the_command_owns_are_refused_with_the_option_to_use",
            OPTIONS + "test_an_option_and_a_setting_of_the_same_thing_are_refused",
        ),
    ),
    Attack(
        "a --log-file that refuses writes (/dev/full, a full disk)",
        "held",
        "one line on stderr, the log goes on there (a logging traceback per line)",
        (OPTIONS + "test_a_log_file_that_refuses_writes_is_said_once_without_a_traceback",),
    ),
    Attack(
        "hostile replica options: a fault rate of nan or 5, a wait of inf, a generation of 10**20",
        "held",
        "a clean error before serving (nan served no fault, inf held connections for ever, the "
        "generation was built for ever)",
        ("tests/replica/test_hostile_replica_options.py",),
    ),
    Attack(
        "an archive of both portals, crawled hourly: one portal's failed articles, overdue "
        "re-checks, failed or missing files",
        "held",
        "each site's run walks, re-checks and fetches for its own portal: the other's failed "
        "article sent it through every listing page, the other's overdue articles took its "
        "re-check share, and the other's files were fetched by the wrong run",
        (
            E2E + "test_incremental.py::"
            "test_another_portal_s_failed_article_does_not_walk_this_portal_again",
            E2E + "test_mst_crawl.py::"
            "test_the_other_portal_s_failed_article_does_not_walk_every_zone_page",
            "tests/archive/test_portals.py::test_the_recheck_limit_is_each_portal_s_own",
            E2E + "test_multi_site.py::test_each_site_s_run_fetches_its_own_portal_s_files_only",
        ),
    ),
    Attack(
        "an hour the site is down, or its markup drifted, amid hourly runs or a backfill",
        "held",
        "the next run's walks stop early as after the run before (they walked every listing "
        "page); a time-limited run's frontier is kept (it was forgotten); a drifted site's "
        "alarm is its own run's under scrapy crawl most too (the first site's was never raised)",
        (
            E2E + "test_incremental.py::"
            "test_a_run_that_never_reached_the_site_does_not_walk_every_listing_page_again",
            E2E + "test_incremental.py::"
            "test_a_run_that_drifted_does_not_walk_every_listing_page_again",
            E2E
            + "test_unreachable.py::test_an_unreachable_site_keeps_the_walk_an_earlier_run_left",
            E2E
            + "test_multi_site.py::test_scrapy_crawl_most_checks_each_site_of_the_set_for_drift",
        ),
    ),
    Attack(
        "a --max-duration that runs out while the sitemap's shards are read, after the walk",
        "held",
        "the shards not read and the articles the feeds and shards found are kept for the next "
        "run, which reads and fetches them (both were dropped: the next run read only the "
        "newest shard, and 43 of 120 articles found were never fetched)",
        (
            E2E + "test_mst_backfill.py::"
            "test_sitemap_shards_a_time_limit_left_unread_are_read_by_the_next_run",
            E2E + "test_mst_backfill.py::"
            "test_a_time_limited_run_keeps_the_articles_the_sitemap_found",
        ),
    ),
    Attack(
        "SharePoint listing pages redirected to the home page during a walk",
        "held",
        "each a failure under its own URL (run partial, exit 1); the next run walks on from it "
        "and archives every article (the redirects to the home page, fetched already, were "
        "dropped without a word, one failure recorded under the home page's URL; the next run "
        "said ok: 85 of 200 articles never archived)",
        (E2E + "test_listing_sent_home.py",),
    ),
    Attack(
        "articles published in the same minute, paged through the web view's JSON or streamed "
        "as CSV",
        "held",
        "every article once (Datasette ordered the first page without the id: rows tying "
        "across its end were on no page, or on two)",
        ("tests/archive/test_serve_paging.py",),
    ),
    Attack(
        "SQL in search input",
        "held",
        "never alters the query",
        (
            SEC + "test_search_input_cannot_alter_sql",
            SEC + "test_serve_search_input_cannot_alter_sql",
        ),
    ),
)


@dataclass
class Observed:
    """What the tests of one row did."""

    attack: Attack
    passed: int = 0
    failed: list[str] = field(default_factory=list)
    why: list[str] = field(default_factory=list)  # each failed test's report (its end)
    seconds: float = 0.0

    @property
    def held(self) -> bool:
        return self.passed > 0 and not self.failed

    @property
    def text(self) -> str:
        if self.held:
            return f"held ({self.passed} test{'s' if self.passed != 1 else ''} passed)"
        if not self.passed and not self.failed:
            return "NOT RUN (no test found)"
        return f"BROKEN: {', '.join(self.failed[:3])}"


def _selection(attacks: tuple[Attack, ...]) -> list[str]:
    return sorted({t for a in attacks for t in a.tests})


def _covers(entry: str, node: str) -> bool:
    """Whether the test ``node`` is one the table ``entry`` names (a file, a function with all
    its parameters, or one parametrized case)."""
    return node == entry or node.startswith((entry + "[", entry + "::"))


def _have_xdist() -> bool:
    import importlib.util

    return importlib.util.find_spec("xdist") is not None


def _node_id(case: ET.Element) -> str:
    path = (case.get("classname") or "").replace(".", "/")
    return f"{path}.py::{case.get('name')}"


def run_hostile(attacks: tuple[Attack, ...] = ATTACKS) -> tuple[list[Observed], float]:
    """Run every test the table names, in one pytest process: the observed result of each row,
    and the seconds it all took."""
    rows = [Observed(a) for a in attacks]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="most-hostile-") as tmp:
        report = Path(tmp) / "junit.xml"
        workers = ["-n", "auto", "--dist", "loadfile"] if _have_xdist() else []
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                *workers,
                f"--junitxml={report}",
                "-o",
                "junit_family=xunit1",
                *_selection(attacks),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=1800,
            env={**os.environ, "MOST_ARCHIVE_SLOW": "1"},  # tests marked slow run too
        )
        cases = ET.parse(report).getroot().iter("testcase") if report.exists() else iter(())
        for case in cases:
            node = _node_id(case)
            bad = case.find("failure") is not None or case.find("error") is not None
            skipped = case.find("skipped") is not None
            for row in rows:
                if not any(_covers(t, node) for t in row.attack.tests):
                    continue
                row.seconds += float(case.get("time") or 0)
                if bad:
                    row.failed.append(node.split("::", 1)[1])
                    row.why.append(_why(case))
                elif not skipped:
                    row.passed += 1
    return rows, time.monotonic() - started


HEADER = ("attack", "issue 13", "expected", "observed", "tests", "seconds")


def hostile_table(rows: list[Observed]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for r in rows:
        tests = "<br>".join(f"`{t}`" for t in r.attack.tests)
        lines.append(
            f"| {r.attack.name} | {r.attack.point} | {r.attack.expected} | {r.text} | {tests} "
            f"| {r.seconds:.1f} |"
        )
    return "\n".join(lines)


WHY_CHARS = 1500  # the end of a failed test's report kept for its BROKEN line


def _why(case: ET.Element) -> str:
    """The end of a failed test's report: what a reader of a BROKEN row needs first."""
    found = case.find("failure")
    if found is None:
        found = case.find("error")
    text = "" if found is None else (found.text or found.get("message") or "")
    return text[-WHY_CHARS:]


def broken(rows: list[Observed]) -> list[str]:
    """A line per row that did not hold, each followed by its failed tests' reports."""
    return [
        f"hostile server: {r.attack.name}: {r.text}" + "".join(f"\n{w}" for w in r.why)
        for r in rows
        if not r.held
    ]
