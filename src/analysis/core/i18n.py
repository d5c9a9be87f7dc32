"""Labels and number formatting for the reports in English or Swedish.

Number formatting is Babel's (CLDR): Swedish uses a decimal comma, U+00A0 as the
thousands separator and U+2212 as the minus sign; nothing here formats by hand.
"""

from __future__ import annotations

import math

from babel.numbers import format_decimal, get_minus_sign_symbol

LOCALES = {"en": "en_GB", "sv": "sv_SE"}

LABELS = {
    "en": {
        "index_title": "servicestat: data catalogue",
        "index_intro": (
            "Every table and printed figure transcribed from the source documents, ingested into "
            "typed long-format Parquet under `data/processed/`. Each row of a dataset is one printed "
            "cell and carries the printed string and its line and column in the raw file. Relation "
            "checks are rounding-aware: a relation holds when true values inside the rounding "
            "intervals of the printed numbers satisfy it."
        ),
        "sources": "Sources",
        "datasets": "Datasets",
        "checks": "Relation checks",
        "known_issues": "Known issues in the sources",
        "no_known_issues": "No relation that a source breaks as printed.",
        "source": "Source",
        "publisher": "Publisher",
        "title": "Title",
        "published": "Published",
        "table": "Table",
        "dataset": "Dataset",
        "rows": "Rows",
        "n_datasets": "Datasets",
        "holds": "Holds",
        "known_issue": "Known issue",
        "skipped": "Skipped (not available)",
        "relations": "Relations",
        "location": "Location",
        "id": "Id",
        "relation": "Relation",
        "group": "Cells",
        "description": "Description",
        "evidence": "Evidence",
        "state": "State",
        "total": "Total",
        "status": "Status",
        "checks_total": "Checks",
        "facts": "Facts printed in the text",
        "events": "Dated events",
        "kind_table": "table",
        "kind_facts": "facts",
        "kind_events": "events",
        "codebook": "Codebook: every printed category label with its English label",
        "files": "Files",
    },
    "sv": {
        "index_title": "servicestat: datakatalog",
        "index_intro": (
            "Varje tabell och tryckt siffra från källdokumenten, inläst som typad Parquet i långt "
            "format under `data/processed/`. Varje rad är en tryckt cell och bär den tryckta "
            "strängen och dess rad och kolumn i råfilen. Sambanden kontrolleras med hänsyn till "
            "avrundning: ett samband håller när sanna värden inom de tryckta talens "
            "avrundningsintervall uppfyller det."
        ),
        "sources": "Källor",
        "datasets": "Datamängder",
        "checks": "Kontroller av samband",
        "known_issues": "Kända fel i källorna",
        "no_known_issues": "Inget samband som en källa bryter i tryck.",
        "source": "Källa",
        "publisher": "Utgivare",
        "title": "Titel",
        "published": "Publicerad",
        "table": "Tabell",
        "dataset": "Datamängd",
        "rows": "Rader",
        "n_datasets": "Datamängder",
        "holds": "Håller",
        "known_issue": "Känt fel",
        "skipped": "Ej prövade (uppgift saknas)",
        "relations": "Samband",
        "location": "Plats",
        "id": "Id",
        "relation": "Samband",
        "group": "Celler",
        "description": "Beskrivning",
        "evidence": "Belägg",
        "state": "Läge",
        "total": "Totalt",
        "status": "Status",
        "checks_total": "Kontroller",
        "facts": "Siffror i löptext",
        "events": "Daterade händelser",
        "kind_table": "tabell",
        "kind_facts": "siffror",
        "kind_events": "händelser",
        "codebook": "Kodbok: varje tryckt kategorietikett med engelsk översättning",
        "files": "Filer",
    },
}


def label(key: str, language: str) -> str:
    return LABELS[language][key]


def fmt_p(p: float, language: str) -> str:
    """A p-value: '< 0.001' below a thousandth, else three decimals."""
    if p != p:
        return "–"
    if p < 0.001:
        return "< " + fmt_number(0.001, language, 3)
    return fmt_number(p, language, 3)


def fmt_pct(share: float, language: str, decimals: int = 1) -> str:
    """A proportion (0-1) as a percentage string in the report language."""
    if share != share:
        return "–"
    return fmt_number(100 * share, language, decimals) + ("\u00a0%" if language == "sv" else "%")


def fmt_number(x: float, language: str, decimals: int | None = None) -> str:
    """Format a number for the report in the given language (Babel/CLDR rules)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    text = format_decimal(x, format=pattern, locale=LOCALES[language])
    # CLDR's minus sign of the locale (U+2212 in Swedish); Babel's patterns write '-'.
    return text.replace("-", get_minus_sign_symbol(LOCALES[language]))


# Display names of method identifiers used in config.yaml.
METHOD_NAMES = {
    "wilson": "Wilson",
    "clopper_pearson": "Clopper–Pearson",
    "agresti_coull": "Agresti–Coull",
    "half_up": {"en": "round-half-up", "sv": "avrundning uppåt vid 5"},
    "half_even": {"en": "round-half-even", "sv": "avrundning till jämnt vid 5"},
    "smallest": {"en": "smallest", "sv": "minsta"},
    "largest": {"en": "largest", "sv": "största"},
}


def method_name(key: str, language: str) -> str:
    name = METHOD_NAMES.get(key, key)
    return name[language] if isinstance(name, dict) else name
