"""Translation catalogs: a section's ``.po`` (in version control) compiled to ``.mo``.

Managed with Babel: ``make translations`` extracts every ``_()`` of a section's Python
module and templates into its domain and updates ``locale/<lang>/LC_MESSAGES/<domain>.po``;
the pipeline compiles each catalog it needs (rule ``translations``).
"""

from __future__ import annotations

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from analysis.core.errors import InputError
from analysis.core.stage import stage_run


def problems(catalog) -> list[str]:
    """Messages that are untranslated or fuzzy (each would print in English)."""
    out = []
    for message in catalog:
        if not message.id:
            continue
        text = message.string if isinstance(message.string, str) else "".join(message.string or ())
        if message.fuzzy:
            out.append(f"fuzzy: {message.id!r}")
        elif not text:
            out.append(f"untranslated: {message.id!r}")
    return out


def run(input, output, params=None, log=None) -> None:
    """Stage: ``input.po`` -> ``output.mo``; an untranslated or fuzzy entry is an error."""
    with stage_run("translations", output, log) as record:
        with open(input.po, "rb") as f:
            catalog = read_po(f)
        bad = problems(catalog)
        if bad:
            raise InputError(input.po, None, None, bad[0], "every message translated and none fuzzy", "catalog:")
        with open(output.mo, "wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        record.info(f"compiled {len(catalog)} messages from {input.po}")
