"""Every email template renders in both languages, and every string is translated."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation.template import templatize

from notifications import previews

EMAIL_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "emails"
PYTHON_SOURCES = [Path(settings.BASE_DIR) / "notifications" / "templatetags"]
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
GETTEXT_FUNCTIONS = {"gettext", "gettext_lazy", "_", "ngettext", "ngettext_lazy"}
CONTEXT_FUNCTIONS = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}
LITERAL = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
CALL = re.compile(
    rf"\b(gettext|ngettext|pgettext|npgettext)\(\s*((?:{LITERAL}\s*,?\s*)+)(?:count)?\s*\)"
)


def template_msgids(path: Path) -> set[tuple[str, str]]:
    """(context, msgid) of every translatable string of one template file."""
    found = set()
    for function, arguments in CALL.findall(templatize(path.read_text(), origin=path)):
        strings = [ast.literal_eval(s) for s in re.findall(LITERAL, arguments)]
        context = strings.pop(0) if function.startswith(("p", "np")) else ""
        found.add((context, strings[0]))
    return found


def python_msgids(path: Path) -> set[tuple[str, str]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        literals = [a.value for a in node.args if isinstance(a, ast.Constant)]
        if node.func.id in GETTEXT_FUNCTIONS and literals:
            found.add(("", literals[0]))
        elif node.func.id in CONTEXT_FUNCTIONS and len(literals) > 1:
            found.add((literals[0], literals[1]))
    return found


def email_msgids() -> set[tuple[str, str]]:
    found = set()
    for path in sorted(EMAIL_TEMPLATES.rglob("*")):
        if path.suffix in {".txt", ".html"}:
            found |= template_msgids(path)
    for folder in PYTHON_SOURCES:
        for path in sorted(folder.glob("*.py")):
            found |= python_msgids(path)
    return found


def _unquote(line: str) -> str:
    return ast.literal_eval(line.strip())


def translated_msgids(po_file: Path) -> set[tuple[str, str]]:
    """(context, msgid) of every entry with a translation that is not fuzzy."""
    if not po_file.exists():
        return set()
    entries: list[dict] = []
    entry: dict = {"flags": "", "msgstr": []}
    field = None
    for raw in [*po_file.read_text().splitlines(), ""]:
        line = raw.strip()
        if not line:
            if "msgid" in entry:
                entries.append(entry)
            entry, field = {"flags": "", "msgstr": []}, None
        elif line.startswith("#,"):
            entry["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if field == "msgstr":
                entry["msgstr"][-1] += _unquote(line)
            elif field:
                entry[field] += _unquote(line)
        else:
            keyword, _space, value = line.partition(" ")
            field = "msgstr" if keyword.startswith("msgstr") else keyword
            if field == "msgstr":
                entry["msgstr"].append(_unquote(value))
            else:
                entry[field] = _unquote(value)
    return {
        (entry.get("msgctxt", ""), entry["msgid"])
        for entry in entries
        if entry["msgid"]
        and "fuzzy" not in entry["flags"]
        and entry["msgstr"]
        and all(entry["msgstr"])
    }


def test_every_template_has_sample_data():
    assert previews.missing_samples() == []


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("name", previews.template_names())
def test_email_template_renders_with_sample_data(name, language):
    preview = previews.render_preview(name=name, language=language)

    assert preview.subject
    assert "\n" not in preview.subject
    assert "{{" not in preview.text + preview.html
    assert "{%" not in preview.text + preview.html
    assert settings.SITE_URL in preview.text
    assert f'href="{settings.SITE_URL}' in preview.html
    assert f'<html lang="{language}">' in preview.html


def test_email_template_in_chinese_shows_chinese_names():
    english = previews.render_preview(name="opportunity_published", language="en")
    chinese = previews.render_preview(name="opportunity_published", language="zh-hans")

    assert "嫦娥七号" in chinese.subject
    assert "嫦娥七号" not in english.subject
    assert "Chang'E-7" in english.text


def test_email_msgids_are_found_in_templates_and_tags():
    msgids = {msgid for _context, msgid in email_msgids()}

    assert "Proposal deadline" in msgids
    assert "New Announcement of Opportunity: %(title)s" in msgids


def test_email_strings_are_all_translated_to_chinese():
    """Fails while any string of an email lacks a Chinese translation.

    Decides by reading locale/zh_Hans/LC_MESSAGES/django.po: every msgid used by
    templates/emails/** and by notifications/templatetags/*.py must have an entry
    whose msgstr is not empty and which is not marked fuzzy.
    """
    missing = email_msgids() - translated_msgids(CATALOGUE)

    assert sorted(msgid for _context, msgid in missing) == []


def test_beijing_time_names_the_zone_once_in_each_language():
    from django.utils import translation  # noqa: PLC0415

    from notifications.templatetags.ao_email import beijing_time  # noqa: PLC0415

    with translation.override("en"):
        english = beijing_time("2026-12-26T22:11:00+00:00")
    with translation.override("zh-hans"):
        chinese = beijing_time("2026-12-26T22:11:00+00:00")

    assert english == "27 Dec 2026, 06:11 Beijing time (UTC+8)"
    assert chinese == "北京时间 2026年12月27日 06:11（UTC+8）"
