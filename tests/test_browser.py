"""The reports as a reviewer opens them: the HTML pages in a real browser, and Snakemake's
report archive.

The browser is headless Chromium (Debian's ``chromium``) driven by Playwright.

Every page of a fresh build is opened at 1280 × 800 from ``file://`` and must have: no
console error, every image loaded, every link and anchor resolving (within the page, on
another page of the report, or to a file beside it), no horizontal overflow, no table
wider than its container, and a caption for every figure. A screenshot of each page's
first screen goes to ``reports/screenshots/`` (the README shows them).

Playwright drives the system Chromium (``executable_path``); it never downloads a browser.
``make test`` installs Chromium when it is missing. Without Chromium or Playwright the
tests are skipped, except under CI, where they fail.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from conftest import make_copy

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("SERVICESTAT_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTH, HEIGHT = 1280, 800
PAGES = ["index", "riksrevisionen_2022", "arbetsformedlingen_2019", "forsakringskassan_2020", "claims", "appendix"]


def _missing(why: str):
    if os.environ.get("CI"):
        pytest.fail(f"{why} (required under CI: `make test` installs it)")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        _missing(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed")
    # launch() gives the browser a fresh temporary profile (--user-data-dir) of its own.
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


# What the page reports about itself; each list is a problem when not empty.
INSPECT = """() => {
  const vw = document.documentElement.clientWidth;
  const out = {ids: [...document.querySelectorAll('[id]')].map(e => e.id), links: [],
    images: [], tables: [], captions: [], overflow: document.documentElement.scrollWidth - vw};
  for (const a of document.querySelectorAll('a[href]')) out.links.push(a.getAttribute('href'));
  for (const img of document.images) {
    if (!img.complete || img.naturalWidth === 0) out.images.push(img.getAttribute('alt') || '(no alt)');
    const fig = img.closest('figure');
    const cap = fig && fig.querySelector('figcaption');
    if (!cap || !cap.textContent.trim()) out.captions.push(img.getAttribute('alt') || '(no alt)');
  }
  for (const t of document.querySelectorAll('table')) {
    const over = t.getBoundingClientRect().width - t.parentElement.clientWidth;
    const head = (t.querySelector('th') || t).textContent.slice(0, 60);
    if (over > 1) out.tables.push(head + ' +' + Math.round(over) + 'px');
  }
  return out;
}"""


def inspect(browser, url: str, screenshot: Path | None = None) -> dict:
    """Open ``url`` at 1280 × 800 and collect what the checks need, with console errors."""
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load")
    found = page.evaluate(INSPECT)
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot))
    page.close()
    found["errors"] = errors
    return found


def problems(folder: Path, names: list[str], found: dict[str, dict]) -> list[str]:
    """Every broken link or anchor, failed image, console error, overflow, too-wide table and
    figure without a caption of the pages ``names`` (files in ``folder``)."""
    out = []
    for name in names:
        f = found[name]
        out += [f"{name}: console error: {e}" for e in f["errors"]]
        out += [f"{name}: duplicate id: {i}" for i in sorted({i for i in f["ids"] if f["ids"].count(i) > 1})]
        out += [f"{name}: image not loaded: {i}" for i in f["images"]]
        out += [f"{name}: figure without caption: {i}" for i in f["captions"]]
        out += [f"{name}: table wider than its container: {t}" for t in f["tables"]]
        if f["overflow"] > 0:
            out.append(f"{name}: horizontal overflow of {f['overflow']} px at {WIDTH} px")
        for href in f["links"]:
            url = urlparse(href)
            if url.scheme in ("http", "https", "mailto"):
                continue  # the report links nothing outside; not fetched in any case
            if url.scheme or url.netloc:
                out.append(f"{name}: link outside the report folder: {href}")
                continue
            target = unquote(url.path) or name
            if not (folder / target).is_file():
                out.append(f"{name}: broken link: {href}")
            elif url.fragment:
                ids = found[target]["ids"] if target in found else []
                if url.fragment not in ids:
                    out.append(f"{name}: broken anchor: {href}")
    return out


def check(browser, folder: Path, screenshots: Path | None = None) -> list[str]:
    names = sorted(p.name for p in folder.glob("*.html"))
    found = {
        n: inspect(browser, (folder / n).as_uri(), screenshots / f"{Path(n).stem}.png" if screenshots else None)
        for n in names
    }
    return problems(folder, names, found)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    work = make_copy(tmp_path_factory.mktemp("browser"))
    res = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--quiet"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode == 0, res.stderr
    return work


@pytest.mark.pipeline
def test_every_page_of_the_report_renders_cleanly(browser, built):
    reports = built / "reports"
    assert sorted(p.stem for p in reports.glob("*.html")) == sorted(PAGES)
    shots = ROOT / "reports/screenshots"
    assert check(browser, reports, shots) == []
    assert all((shots / f"{p}.png").stat().st_size > 10_000 for p in PAGES)


@pytest.mark.pipeline
def test_the_overview_shows_every_source_on_the_first_screen(browser, built):
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    page.goto((built / "reports/index.html").as_uri())
    boxes = page.evaluate(
        "() => [...document.querySelectorAll('section.card')].map(c => {"
        "const r = c.getBoundingClientRect(); return [c.id, r.top, r.bottom, r.left, r.right];})"
    )
    numbers = page.evaluate("() => [...document.querySelectorAll('a.num')].map(a => a.getAttribute('href'))")
    page.close()
    assert [b[0] for b in boxes] == [f"card-{s}" for s in PAGES[1:4]]
    for _id, top, bottom, left, right in boxes:
        assert top >= 0 and bottom <= HEIGHT and left >= 0 and right <= WIDTH
    # Every key number links to a result row (r-...) on its source's page: one click to the row.
    assert numbers and all(h.split("#")[1].startswith("r-") for h in numbers)


BAD_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head><body>
<p><a href="#nowhere">a</a> <a href="other.html#gone">b</a> <a href="missing.csv">c</a>
<a href="other.html#here">d</a> <a href="#top">e</a></p>
<span id="twice"></span><span id="twice"></span>
<div id="top" style="width:300px"><table><tr><th>wide</th><td style="min-width:900px">x</td></tr></table></div>
<img src="nothing.png" alt="broken">
<figure><img alt="no caption" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></figure>
<div style="width:2000px">too wide</div>
<script>console.error("boom")</script>
</body></html>"""


def test_the_checks_catch_each_defect(browser, tmp_path):
    (tmp_path / "bad.html").write_text(BAD_PAGE, encoding="utf-8")
    (tmp_path / "other.html").write_text(
        '<!DOCTYPE html><html><head><title>o</title></head><body><p id="here">ok</p></body></html>',
        encoding="utf-8",
    )
    found = check(browser, tmp_path)
    text = "\n".join(found)
    assert "bad.html: broken anchor: #nowhere" in text
    assert "bad.html: broken anchor: other.html#gone" in text
    assert "bad.html: broken link: missing.csv" in text
    assert "other.html#here" not in text and "#top" not in text  # links that resolve
    assert "bad.html: image not loaded: broken" in text
    assert "bad.html: figure without caption: no caption" in text and "figure without caption: broken" in text
    assert "bad.html: table wider than its container: wide" in text
    assert "bad.html: horizontal overflow of" in text
    assert "bad.html: console error: boom" in text
    assert "bad.html: duplicate id: twice" in text
    assert not [p for p in found if p.startswith("other.html")]


@pytest.mark.pipeline
def test_snakemake_report_has_every_figure_and_result_table_with_a_caption(built, tmp_path):
    archive = tmp_path / "report.zip"
    res = subprocess.run(
        [sys.executable, "-m", "snakemake", "--report", str(archive)],
        cwd=built,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode == 0, res.stderr
    with zipfile.ZipFile(archive) as z:
        page = z.read("report/report.html").decode("utf-8")
        stored = {Path(n).name for n in z.namelist()}
    # The report's data: one entry per file, keyed by its path, with the rendered caption.
    captions = dict(
        re.findall(r'"(reports/(?:figures|tables)/[^"]+)": \{"name".*?"caption": "((?:[^"\\]|\\.)*)"', page)
    )
    figures = sorted(p.relative_to(built).as_posix() for p in (built / "reports/figures").glob("*.png"))
    tables = sorted(p.relative_to(built).as_posix() for p in (built / "reports/tables").glob("*.csv"))
    assert figures and tables
    for path in figures + tables:
        assert Path(path).name in stored, path
        assert len(re.sub(r"<[^>]+>", "", captions.get(path, ""))) > 40, f"no caption for {path}"
    # Grouped by source document (category) and analysis (subcategory).
    groups = ("Riksrevisionen 2022", "Findings", "Claims audit", "survey: figures", "meetings: tables")
    for group in (*groups, "channels: figures"):
        assert group in page
