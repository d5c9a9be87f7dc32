"""Translations: every report text has a Swedish translation, none fuzzy, none stale.

The message ids are extracted afresh from each section's module and templates (as
``make translations`` does with pybabel) and compared with the catalog in version
control, so a new or changed English sentence without a translation fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from analysis.report.catalogs import problems

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "src/analysis/report"
LOCALE = REPORT / "locale"
DOMAINS = sorted(p.stem for p in (LOCALE / "sv/LC_MESSAGES").glob("*.po"))


def domain_files(domain: str) -> list[Path]:
    return sorted(
        [*REPORT.glob(f"{domain}.py"), *REPORT.glob(f"{domain}_*.py"), *(REPORT / "templates").glob(f"{domain}*.j2")]
    )


def extracted(domain: str) -> set[str]:
    ids = set()
    for path in domain_files(domain):
        if path.suffix == ".py":
            found = extract_from_file("python", str(path))
        else:
            found = extract_from_file(babel_extract, str(path), options={"extensions": "jinja2.ext.i18n"})
        for _lineno, message, _comments, _context in found:
            ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_section_has_a_catalog():
    templates = {p.name.split(".")[0].split("_")[0] for p in (REPORT / "templates").glob("*.j2")}
    assert templates <= set(DOMAINS), f"templates without a Swedish catalog: {sorted(templates - set(DOMAINS))}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_catalog_is_complete_and_current(domain):
    with open(LOCALE / "sv/LC_MESSAGES" / f"{domain}.po", "rb") as f:
        catalog = read_po(f)
    assert problems(catalog) == []
    in_catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    in_code = extracted(domain)
    assert in_code, f"no translatable text found for domain {domain}"
    assert in_code - in_catalog == set(), "run `make translations` and translate the new entries"
    assert in_catalog - in_code == set(), "obsolete entries: run `make translations`"


def test_problems_flags_untranslated_and_fuzzy():
    from babel.messages.catalog import Catalog

    cat = Catalog(locale="sv")
    cat.add("Done", "Klar")
    cat.add("Open", "")
    cat.add("Maybe", "Kanske", flags=["fuzzy"])
    assert problems(cat) == ["untranslated: 'Open'", "fuzzy: 'Maybe'"]
