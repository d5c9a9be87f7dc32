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


def extracted(sources) -> dict[str, tuple[str, int]]:
    """Every message id of a section's sources (its module and templates) -> (file, line),
    extracted as ``pybabel extract`` does with babel.cfg."""
    from babel.messages.extract import extract_from_file
    from jinja2.ext import babel_extract

    ids: dict[str, tuple[str, int]] = {}
    for path in sources:
        if str(path).endswith(".py"):
            found = extract_from_file("python", str(path))
        else:
            found = extract_from_file(babel_extract, str(path), options={"extensions": "jinja2.ext.i18n"})
        for lineno, message, _comments, _context in found:
            ids.setdefault(message if isinstance(message, str) else message[0], (str(path), lineno))
    return ids


def run(input, output, params=None, log=None) -> None:
    """Stage: ``input.po`` -> ``output.mo``; an untranslated or fuzzy entry is an error, and
    so is text in the section's ``input.sources`` that the catalog does not have yet (a
    Swedish report would otherwise print it in English without a word)."""
    with stage_run("translations", output, log) as record:
        with open(input.po, "rb") as f:
            catalog = read_po(f)
        bad = problems(catalog)
        if bad:
            raise InputError(input.po, None, None, bad[0], "every message translated and none fuzzy", "catalog:")
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
        for message, (path, line) in extracted(getattr(input, "sources", [])).items():
            if message not in known:
                raise InputError(
                    path, line, None, message, f"a translation in {input.po} (run `make translations`)", "untranslated"
                )
        with open(output.mo, "wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        record.info(f"compiled {len(catalog)} messages from {input.po}")
