"""Report text: Jinja2 templates, gettext catalogs, Babel number formats.

Templates speak; analyses compute. Every sentence of a report is in a template under
``src/analysis/report/templates/`` (or, for figure labels and captions, a ``_()`` call in
the section's Python module), written in English and translated through the gettext
catalog of its section (``src/analysis/report/locale/sv/LC_MESSAGES/<domain>.po``,
compiled to ``.mo`` by the pipeline's ``translations`` rule). Numbers, percents and
p-values are formatted by Babel in the report's language (:mod:`analysis.core.i18n`).

A section renders from the paths its rule declares: the template file, the compiled
catalog (Swedish only) and its data, so a changed template or translation reruns only
the jobs that read it.
"""

from __future__ import annotations

import gettext
from collections.abc import Sequence
from pathlib import Path

import jinja2
from babel.support import Translations

from analysis.core.i18n import fmt_number, fmt_p, fmt_pct
from analysis.report.markdown import md_table

LANGUAGES = ("en", "sv")


def translations(language: str, catalog: str | Path | None) -> gettext.NullTranslations:
    """The gettext translations for ``language``: English is the source language (no
    catalog); any other language reads its compiled catalog ``catalog`` (a ``.mo`` file)."""
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r}; expected one of {', '.join(LANGUAGES)}")
    if language == "en" or catalog is None:
        return gettext.NullTranslations()
    with open(catalog, "rb") as f:
        return Translations(f)


def catalog_path(catalogs: Sequence[str] | str | None) -> str | None:
    """The one compiled catalog a rule declares for a non-English report (``[]`` for English)."""
    if catalogs is None or isinstance(catalogs, str):
        return catalogs
    paths = list(catalogs)
    return paths[0] if paths else None


def environment(template_dir: str | Path, language: str, trans: gettext.NullTranslations) -> jinja2.Environment:
    """A Jinja2 environment for Markdown output in ``language``.

    Undefined names are errors (a typo in a template never renders as empty text).
    Filters: ``num(decimals)``, ``pct(decimals)`` (a 0-1 share as percent), ``pval``;
    global ``table(header, rows, numeric)`` for GitHub-flavoured Markdown tables.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(trans, newstyle=True)
    env.filters["num"] = lambda x, decimals=None: fmt_number(x, language, decimals)
    env.filters["pct"] = lambda x, decimals=1: fmt_pct(x, language, decimals)
    env.filters["pval"] = lambda p: fmt_p(p, language)
    env.globals["table"] = md_table
    env.globals["language"] = language
    return env


def render(template: str | Path, language: str, trans: gettext.NullTranslations, **context) -> str:
    """Render one template file (a declared input of the rule) with ``context``.

    Templates it includes or imports must sit in the same folder and be declared too.
    """
    template = Path(template)
    env = environment(template.parent, language, trans)
    text = env.get_template(template.name).render(**context)
    return text.rstrip("\n") + "\n"
