"""Numbers a page writes that no archive can hold: an article or category id, or a page number,
beyond SQLite's 64-bit INTEGER. One such link on a listing made every run fail at once
("storage failed", OverflowError), and the next run again, for as long as the link stayed. Such
a number is no id: the link is not an article's, the pager's number is not a page."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.support import query

from .support import LISTING, Page, PageServer, article_page, crawl, listing_page, mini_site

HUGE = 99999999999999999999999  # 23 digits: over 2**63 - 1


def test_a_number_beyond_64_bits_is_no_id_and_no_page(tmp_path: Path) -> None:
    pages = mini_site({704: Page(article_page("Bình thường", "<p>Ổn.</p>"))})
    listing = listing_page([704, HUGE])
    listing = listing.replace(b"Trang 1/1", f"Trang 1/{HUGE}".encode())  # the pager's count
    listing = listing.replace(b"</select>", "<option value='²'>²</option></select>".encode())
    pages[LISTING] = Page(listing)
    pages[f"/vn/chuyen-muc/{HUGE}/Tin-khac.aspx"] = Page(listing_page([704]))
    pages["/vn/Pages/Trangchu.aspx"] = Page(
        pages["/vn/Pages/Trangchu.aspx"].body.replace(  # type: ignore[union-attr]
            b"</ul>",
            f"<li><a href='/vn/chuyen-muc/{HUGE}/Tin-khac.aspx'>Khác</a></li></ul>".encode(),
        )
    )
    db = tmp_path / "a.db"
    with PageServer(pages) as site:
        result = crawl(site.base_url, db)
    stored = [r[0] for r in query(db, "SELECT site_id FROM articles")]
    outcome = query(db, "SELECT outcome FROM runs")
    assert "storage failed" not in result.stderr and "Traceback" not in result.stderr, (
        result.stderr[-3000:]
    )
    assert stored == [704]
    assert outcome != [("failed",)], outcome
