"""The ``most-archive replica`` command: serve the replica of www.most.gov.vn on loopback."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from replica.index import MAX_GENERATION

if TYPE_CHECKING:
    from replica.server import ReplicaServer

RATE = click.FloatRange(0.0, 1.0)
RATE_FLAGS = (
    ("error_rate", "share of answers that are HTTP 500/503"),
    ("throttle_rate", "share of answers that are HTTP 429 (with Retry-After unless switched off)"),
    ("hang_rate", "share of answers held back --hang-seconds (client timeouts)"),
    ("truncate_rate", "share of answers cut off half-way (Content-Length kept)"),
    (
        "cut_rate",
        "share of answers cut half-way but framed as whole (Content-Length of the half; "
        "close-delimited with cut_close_delimited in --faults-json)",
    ),
    (
        "endless_pager_rate",
        "share of listing pages whose pager never ends (past the last page "
        "the same items; new ids with endless_pager_invent in --faults-json)",
    ),
    ("reset_rate", "share of connections reset before any byte"),
    ("drip_rate", "share of answers sent slowly in small pieces"),
    ("charset_rate", "share of answers with a wrong charset or content type"),
    ("pdf_rate", "share of article answers that are a PDF instead"),
    ("redirect_loop_rate", "share of answers that start a redirect loop"),
    ("offsite_redirect_rate", "share of answers redirecting to the offsite base"),
    ("home_redirect_rate", "share of answers redirecting to the home page (a withdrawn page)"),
    ("not_found_rate", "share of answers that are a 404 page"),
    ("soft_not_found_rate", "share of answers that are the same error page with status 200"),
    (
        "challenge_rate",
        "share of answers that are a firewall's bot challenge (a script that sets a cookie and "
        "reloads), status 200",
    ),
    ("oversize_rate", "share of answers of --oversize-bytes"),
    ("friendly_500_rate", "share of articles whose /vn/tin-tuc/ URL answers 500 (legacy works)"),
    ("drift_rate", "share of article answers in a body markup the parsers do not know"),
    (
        "stale_304_rate",
        "share of article URLs answered 304 to every conditional request, changed or not "
        "(validators that lie)",
    ),
)


def _rate_options(func: Any) -> Any:
    for name, help_text in reversed(RATE_FLAGS):
        flag = "--" + name.replace("_", "-")
        func = click.option(flag, name, type=RATE, default=0.0, show_default=True, help=help_text)(
            func
        )
    return func


@click.command("replica", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--host", default="127.0.0.1", show_default=True, help="address to bind")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="port to bind (0 = any free port)",
)
@click.option(
    "--articles",
    type=click.IntRange(1, 1_000_000),
    default=200,
    show_default=True,
    help="number of articles in generation 0",
)
@click.option("--seed", type=int, default=1, show_default=True, help="seed of the generated site")
@click.option(
    "--generation",
    type=click.IntRange(0, MAX_GENERATION),
    default=0,
    show_default=True,
    help="generation to serve (each adds articles and edits some)",
)
@click.option(
    "--base-url",
    default=None,
    help="base URL written in absolute links [default: http://HOST:PORT]",
)
@click.option(
    "--offsite-base",
    default=None,
    help="base URL of the 'external' sites the pages link to (third parties' pages and "
    "images) [default: a host the replica serves itself on a free port of HOST, answering "
    "404 to everything]",
)
@click.option(
    "--portal",
    type=click.Choice(["most", "mst"]),
    default="most",
    show_default=True,
    help="which portal to serve: the SharePoint www.most.gov.vn, or mst.gov.vn (VCCorp CMS)",
)
@click.option(
    "--robots",
    type=click.Choice(["404", "200", "allow", "disallow-search"]),
    default=None,
    help="robots.txt. most: SharePoint error page with status 404 (default) or 200; "
    "mst: permissive with a Sitemap line (allow, default) or disallowing /tim-kiem.htm",
)
@click.option(
    "--media-port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="mst: port of the media host standing in for mic.mediacdn.vn (0 = any free port)",
)
@click.option(
    "--media-base-url",
    default=None,
    help="mst: base URL of the media host written in pages [default: http://HOST:MEDIA_PORT]",
)
@click.option(
    "--paging",
    type=click.Choice(["both", "timelinelist", "trang", "timeline"]),
    default="both",
    show_default=True,
    help="mst: zone page 2+ through /timelinelist/{zoneId}/{n}.htm, /…/trang-{n}.htm, both, "
    "or only Tuổi Trẻ's /timeline/{zoneId}/trang-{n}.htm",
)
@click.option(
    "--rss-dates",
    type=click.Choice(["both", "rfc822", "dotnet"]),
    default="both",
    show_default=True,
    help="mst: RSS pubDate as RFC 822 (+0700), as .NET 'M/d/yyyy h:mm:ss AM', or both "
    "(home and news feeds RFC 822, zone feeds .NET)",
)
@click.option(
    "--alias-redirect/--no-alias-redirect",
    default=False,
    show_default=True,
    help="mst: requests whose Host is mic.gov.vn, www.mic.gov.vn, www.mst.gov.vn (or an "
    "--alias-host) get a 301 to the same path on the base URL",
)
@click.option(
    "--timeline-referer/--no-timeline-referer",
    default=False,
    show_default=True,
    help="mst: /timelinelist/ answers an empty fragment unless the Referer is its zone page",
)
@click.option(
    "--alias-host",
    "alias_hosts",
    multiple=True,
    help="mst: another host name answered with that 301 (e.g. localhost); repeatable",
)
@click.option(
    "--validators/--no-validators",
    default=True,
    show_default=True,
    help="send ETag/Last-Modified on articles and answer conditional requests with 304",
)
@_rate_options
@click.option(
    "--retry-after/--no-retry-after",
    default=True,
    show_default=True,
    help="send Retry-After with the 500/503 answers",
)
@click.option("--retry-after-seconds", type=click.IntRange(0), default=1, show_default=True)
@click.option(
    "--latency-ms",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="delay added before every answer",
)
@click.option(
    "--latency-jitter-ms",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="plus up to this much, deterministic per request",
)
@click.option("--drip-seconds", type=click.FloatRange(0), default=2.0, show_default=True)
@click.option("--hang-seconds", type=click.FloatRange(0), default=30.0, show_default=True)
@click.option(
    "--oversize-bytes", type=click.IntRange(1), default=12 * 1024 * 1024, show_default=True
)
@click.option(
    "--sticky-requests",
    type=click.IntRange(1),
    default=None,
    help="fault a chosen path on its first N requests only (default: every request draws again)",
)
@click.option(
    "--cookie-check/--no-cookie-check",
    default=False,
    show_default=True,
    help="answer a request without the CDN's cookie with a 302 to its own URL setting it",
)
@click.option("--fault-seed", type=int, default=None, help="seed of the faults [default: --seed]")
@click.option(
    "--parent-pid",
    type=int,
    default=None,
    hidden=True,
    help="stop when this process is gone (used by replica.testing)",
)
@click.option(
    "--faults-json",
    default=None,
    help="fault settings as one JSON object (overrides the fault flags)",
)
def replica_command(**opts: Any) -> None:
    """Serve the replica of www.most.gov.vn (or mst.gov.vn) on 127.0.0.1 until Ctrl-C.

    A deterministic copy of the ministry site's news (home, category listings, articles,
    images, attachments, RSS, Getdataportal.asmx), built from SITE.md, with switchable faults
    and generations. With --portal mst it serves mst.gov.vn instead (zones, timelinelist and
    trang-N paging, sitemaps, RSS, articles), built from SITE-mst.md, plus a second server on
    --media-port standing in for its media host mic.mediacdn.vn. Control endpoints live under
    /__replica__/ (health, requests, reset, generation, faults, truth).

    \b
    Example:
        most-archive replica --port 8765 --articles 200
        most-archive replica --articles 50000 --error-rate 0.1 --latency-ms 50
        most-archive replica --port 0 --generation 2 --no-retry-after --error-rate 0.2
        most-archive replica --portal mst --port 8770 --media-port 8771 --articles 1000
    """
    from replica.faults import Faults
    from replica.server import make_server

    fault_fields: dict[str, Any] = {name: opts[name] for name, _ in RATE_FLAGS}
    for name in (
        "retry_after",
        "retry_after_seconds",
        "latency_ms",
        "latency_jitter_ms",
        "drip_seconds",
        "hang_seconds",
        "oversize_bytes",
        "sticky_requests",
        "cookie_check",
    ):
        fault_fields[name] = opts[name]
    fault_fields["seed"] = opts["fault_seed"] if opts["fault_seed"] is not None else opts["seed"]
    try:
        if opts["faults_json"]:
            loaded = json.loads(opts["faults_json"])
            if not isinstance(loaded, dict):
                raise ValueError("--faults-json must be a JSON object")
            loaded.setdefault("seed", fault_fields["seed"])
            faults = Faults.from_dict(loaded)
        else:
            faults = Faults.from_dict(fault_fields)
    except (ValueError, TypeError) as exc:
        raise click.ClickException(f"bad fault settings: {exc}") from None
    _check_portal_options(opts)
    if opts["portal"] == "mst":
        _serve_mst(opts, faults)
        return
    try:
        server = make_server(
            opts["host"],
            opts["port"],
            articles=opts["articles"],
            seed=opts["seed"],
            generation=opts["generation"],
            offsite_base=opts["offsite_base"],
            base_url=opts["base_url"],
            faults=faults,
            validators=opts["validators"],
            robots=opts["robots"] or "404",
        )
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {opts['host']}:{opts['port']}: {exc.strerror or exc}"
        ) from None
    if opts["parent_pid"]:
        _exit_with_parent(opts["parent_pid"])
    site = server.site
    click.echo(
        f"most-archive replica: {site.articles} articles"
        f" (+{len(site.article_ids()) - site.articles}"
        f" from generations), seed {site.seed}, generation {site.generation}"
        f"{', faults on' if faults.active else ''}"
    )
    click.echo(f"Serving {server.base_url}/vn/Pages/Trangchu.aspx  (Ctrl-C to stop)")
    _start_third_party(server)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()


MST_ONLY = {  # option -> (its default, its flag)
    "paging": ("both", "--paging"),
    "rss_dates": ("both", "--rss-dates"),
    "alias_redirect": (False, "--alias-redirect"),
    "alias_hosts": ((), "--alias-host"),
    "timeline_referer": (False, "--timeline-referer"),
    "media_port": (0, "--media-port"),
    "media_base_url": (None, "--media-base-url"),
}


def _check_portal_options(opts: dict[str, Any]) -> None:
    robots = opts["robots"]
    if opts["portal"] == "most":
        for name, (default, flag) in MST_ONLY.items():
            if opts[name] != default:
                raise click.UsageError(f"{flag} applies to --portal mst only")
        if robots not in (None, "404", "200"):
            raise click.UsageError("--robots for --portal most is 404 or 200")
    elif robots not in (None, "allow", "disallow-search"):
        raise click.UsageError("--robots for --portal mst is allow or disallow-search")


def _serve_mst(opts: dict[str, Any], faults: Any) -> None:
    import threading

    from replica.server import make_mst_servers

    try:
        server, media = make_mst_servers(
            opts["host"],
            opts["port"],
            opts["media_port"],
            articles=opts["articles"],
            seed=opts["seed"],
            generation=opts["generation"],
            offsite_base=opts["offsite_base"],
            base_url=opts["base_url"],
            media_base_url=opts["media_base_url"],
            faults=faults,
            validators=opts["validators"],
            robots=opts["robots"] or "allow",
            paging=opts["paging"],
            rss_dates=opts["rss_dates"],
            alias_redirect=opts["alias_redirect"],
            alias_hosts=tuple(opts["alias_hosts"]),
            timeline_referer=opts["timeline_referer"],
        )
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {opts['host']} (port {opts['port']} or media port "
            f"{opts['media_port']}): {exc.strerror or exc}"
        ) from None
    if opts["parent_pid"]:
        _exit_with_parent(opts["parent_pid"])
    site = server.site
    click.echo(
        f"most-archive replica (mst.gov.vn): {site.articles} articles"
        f" (+{len(site.article_ids()) - site.articles}"
        f" from generations), seed {site.seed}, generation {site.generation}"
        f"{', faults on' if faults.active else ''}"
    )
    click.echo(f"Serving {server.base_url}/  (Ctrl-C to stop)")
    click.echo(f"Media host {media.base_url}/  (stands in for https://mic.mediacdn.vn)")
    _start_third_party(server)
    threading.Thread(target=media.serve_forever, daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        media.shutdown()
        media.server_close()
        server.server_close()


def _start_third_party(server: ReplicaServer) -> None:
    """Serve the replica's own third-party host, if it has one, and say where."""
    if server.third_party is not None:
        click.echo(
            f"Third-party host {server.third_party.base_url}/  (stands in for every other "
            "site the pages link to: 404)"
        )
        server.start_third_party()


def _exit_with_parent(pid: int) -> None:
    """Stop this process once its parent ``pid`` is gone (a killed test run leaves no server)."""
    import os
    import threading
    import time

    def watch() -> None:
        while os.getppid() == pid:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
