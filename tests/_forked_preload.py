"""What the fork server of :mod:`tests.forked` imports once, before it forks any crawl.

The project's modules and every component the project's Scrapy settings name (middlewares,
extensions, pipelines, the scheduler and its queues, the download handlers): what a crawl would
otherwise import again in every child. Nothing here installs a reactor; the last line checks it,
so that a child always installs the one the settings ask for.
"""

from __future__ import annotations

import contextlib
import importlib
import sys

from scrapy.settings import Settings

import crawler.settings

# the entry points and what they import, and what the HTTP download handler and robots.txt
# bring in only when a crawl starts
MODULES = (
    "most_archive.cli",
    "scrapy.cmdline",
    "scrapy.crawler",
    "crawler.run",
    "crawler.spiders",
    "crawler.middlewares",
    "crawler.pipelines",
    "archive.batch",
    "archive.readonly",
    "archive.store",
    "scrapy.core.downloader.contextfactory",
    "scrapy.robotstxt",
    "protego",
    "twisted.internet.endpoints",
    "twisted.web.client",
)


def _component_modules() -> set[str]:
    settings = Settings()
    settings.setmodule(crawler.settings, priority="project")
    names: set[str] = set()
    for key in ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS", "ITEM_PIPELINES"):
        names.update(
            str(path)
            for path, order in settings.getwithbase(key).items()
            if order is not None and isinstance(path, str)
        )
    names.update(
        path for path in settings.getwithbase("DOWNLOAD_HANDLERS").values() if isinstance(path, str)
    )
    for key in (
        "SCHEDULER",
        "SCHEDULER_PRIORITY_QUEUE",
        "SCHEDULER_DISK_QUEUE",
        "SCHEDULER_MEMORY_QUEUE",
        "DUPEFILTER_CLASS",
        "STATS_CLASS",
        "LOG_FORMATTER",
        "DOWNLOADER",
    ):
        value = settings.get(key)
        if isinstance(value, str) and "." in value:
            names.add(value)
    return {name.rpartition(".")[0] for name in names if "." in name}


for _module in MODULES:
    importlib.import_module(_module)
for _module in sorted(_component_modules()):
    # a component of an optional dependency: the child imports it, or fails as it would anyway
    with contextlib.suppress(ImportError):
        importlib.import_module(_module)

if "twisted.internet.reactor" in sys.modules:  # pragma: no cover
    raise RuntimeError("preloading installed a Twisted reactor; the crawl must install its own")
