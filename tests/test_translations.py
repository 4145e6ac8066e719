"""The Simplified Chinese catalogue: complete, well-formed, current, and in use.

The .po file is read with a small parser of our own (no polib dependency). The
rendering tests compile the committed catalogue into a temporary directory with
msgfmt, so they check the .po in the tree, never a stale .mo.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from accounts.forms import ProfileForm
from config.third_party_messages import name_authenticators
from tests.factories import MissionFactory, OpportunityFactory
from tests.mfa import login_with_mfa

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# Directories makemessages must not read (the same --ignore list as `make messages`).
IGNORED_DIRS = {
    ".venv",
    "node_modules",
    "staticfiles",
    "var",
    ".git",
    "media",
    "private-media",
    "test-results",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
}
# The extensions makemessages reads for the "django" domain.
SOURCE_SUFFIXES = {".py", ".html", ".txt"}
# Entries whose right translation is the English text itself.
SAME_IN_CHINESE = {
    "API",
    "HTML",
    "Message-ID",
    "ORCID iD",
    "PDF",
    "SHA-256",
    "%(mass)s kg",
    "%(power)s W",
    # SI units, written the same in Chinese technical text
    "kg",
    "mm",
}
PLACEHOLDER = re.compile(r"%\([A-Za-z_]+\)[sdr]|%[sdr]|%%|\{[A-Za-z_]+\}")
# Chinese characters, CJK punctuation (。、「」) and full-width forms (：，（）).
CHINESE = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def label(self) -> str:
        return f"[{self.msgctxt}] {self.msgid!r}" if self.msgctxt else repr(self.msgid)


def _unquote(text: str) -> str:
    # A .po string uses C escapes (\n, \t, \", \\): Python's literal syntax reads them.
    return ast.literal_eval(text)


def parse_po(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """The header fields and the live (not obsolete) entries of a .po file."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal current, started, target
        if started:
            entries.append(current)
        current, started, target = Entry(), False, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            current.flags.update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, name, (getattr(current, name) or "") + _unquote(line))
        else:
            keyword, _, value = line.partition(" ")
            started = True
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if "[" in keyword else 0
                current.msgstr[index] = _unquote(value)
                target = ("msgstr", index)
            else:
                setattr(current, keyword, _unquote(value))
                target = (keyword, 0)
    finish()
    header_entry = next(e for e in entries if e.msgid == "" and e.msgctxt is None)
    header = dict(
        line.split(": ", 1)
        for line in header_entry.msgstr[0].splitlines()
        if ": " in line
    )
    return header, [e for e in entries if e is not header_entry]


@pytest.fixture(scope="module")
def catalogue() -> tuple[dict[str, str], list[Entry]]:
    return parse_po(PO_FILE)


def _gettext_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(
                f"{name} (GNU gettext) is required in CI: apt-get install gettext"
            )
        pytest.skip(f"{name} (GNU gettext) is not installed: apt-get install gettext")
    return path


def test_catalogue_header_declares_simplified_chinese(catalogue):
    header, _ = catalogue

    assert header["Language"] == "zh_Hans"
    assert header["Plural-Forms"] == "nplurals=1; plural=0;"
    assert "charset=UTF-8" in header["Content-Type"]


def test_catalogue_has_no_untranslated_or_fuzzy_entry(catalogue):
    _, entries = catalogue

    untranslated = [e.label for e in entries if not all(e.msgstr.values())]
    fuzzy = [e.label for e in entries if "fuzzy" in e.flags]
    plural_forms = [e.label for e in entries if e.msgid_plural and set(e.msgstr) != {0}]

    assert entries, "the catalogue is empty"
    assert untranslated == [], "untranslated:\n" + "\n".join(untranslated)
    assert fuzzy == [], "fuzzy (not used by gettext):\n" + "\n".join(fuzzy)
    assert plural_forms == [], "Chinese has one plural form:\n" + "\n".join(
        plural_forms
    )


def test_catalogue_keeps_every_placeholder(catalogue):
    _, entries = catalogue

    broken = []
    for entry in entries:
        if entry.msgctxt and "date" in entry.msgctxt:
            continue  # a date format string, not a Python format string
        expected = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        broken.extend(
            f"{entry.label} -> {text!r}"
            for text in entry.msgstr.values()
            if text and sorted(PLACEHOLDER.findall(text)) != expected
        )

    assert broken == [], "placeholders differ:\n" + "\n".join(broken)


def test_catalogue_keeps_html_tags_and_line_breaks(catalogue):
    _, entries = catalogue

    broken = [
        entry.label
        for entry in entries
        for text in entry.msgstr.values()
        if text
        and (
            sorted(re.findall(r"</?[a-z]+", entry.msgid))
            != sorted(re.findall(r"</?[a-z]+", text))
            or entry.msgid.count("\n") != text.count("\n")
        )
    ]

    assert broken == [], "tags or line breaks differ:\n" + "\n".join(broken)


def test_catalogue_translations_are_chinese(catalogue):
    _, entries = catalogue

    english = [
        entry.label
        for entry in entries
        if entry.msgid not in SAME_IN_CHINESE
        and ENGLISH_WORD.search(PLACEHOLDER.sub("", entry.msgid))
        and not all(CHINESE.search(text) for text in entry.msgstr.values())
    ]

    assert english == [], "no Chinese in the translation:\n" + "\n".join(english)


def test_catalogue_compiles_with_format_checks(tmp_path):
    msgfmt = _gettext_tool("msgfmt")

    result = subprocess.run(  # noqa: S603 - gettext's msgfmt on our own file
        [msgfmt, "--check", "-o", str(tmp_path / "django.mo"), str(PO_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr


def _copy_sources(destination: Path) -> None:
    """The files makemessages reads, without the catalogue itself."""
    for directory, subdirectories, files in os.walk(ROOT):
        subdirectories[:] = [d for d in subdirectories if d not in IGNORED_DIRS]
        relative = Path(directory).relative_to(ROOT)
        if relative.parts[:1] == ("locale",):
            continue
        for name in files:
            if Path(name).suffix in SOURCE_SUFFIXES:
                target = destination / relative / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(directory) / name, target)
    (destination / "locale" / "zh_Hans" / "LC_MESSAGES").mkdir(parents=True)


def test_catalogue_is_up_to_date_with_the_source(tmp_path, catalogue):
    _gettext_tool("xgettext")
    _copy_sources(tmp_path)
    ignores = [f"--ignore={name}" for name in sorted(IGNORED_DIRS)]

    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            *ignores,
        ],
        cwd=tmp_path,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    _, fresh = parse_po(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    _, committed = catalogue

    fresh_keys = {e.key: e for e in fresh}
    committed_keys = {e.key: e for e in committed}
    missing = [fresh_keys[k].label for k in fresh_keys.keys() - committed_keys.keys()]
    stale = [committed_keys[k].label for k in committed_keys.keys() - fresh_keys.keys()]
    plural_changed = [
        entry.label
        for key, entry in fresh_keys.items()
        if key in committed_keys
        and entry.msgid_plural != committed_keys[key].msgid_plural
    ]

    refresh = "run `make messages` and translate the new entries"
    assert missing == [], f"not in the catalogue ({refresh}):\n" + "\n".join(
        sorted(missing)
    )
    assert stale == [], f"no longer in the source ({refresh}):\n" + "\n".join(
        sorted(stale)
    )
    assert plural_changed == [], f"plural changed ({refresh}):\n" + "\n".join(
        plural_changed
    )


@pytest.fixture
def compiled_chinese(tmp_path, settings):
    """The committed .po compiled afresh and put first in LOCALE_PATHS."""
    msgfmt = _gettext_tool("msgfmt")
    directory = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
    directory.mkdir(parents=True)
    subprocess.run(  # noqa: S603 - gettext's msgfmt on our own file
        [msgfmt, "-o", str(directory / "django.mo"), str(PO_FILE)], check=True
    )
    settings.LOCALE_PATHS = [tmp_path / "locale"]


def _chinese(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"


@pytest.mark.django_db
def test_home_page_in_chinese_shows_chinese_navigation(client, compiled_chinese):
    _chinese(client)

    text = client.get(reverse("catalogue:home")).content.decode()

    assert '<html lang="zh-Hans">' in text
    assert "机遇公告 · 机遇公告平台</title>" in text
    assert "国家航天局国际合作" in text
    assert ">任务</a>" in text
    assert "Announcements of Opportunity" not in text


@pytest.mark.django_db
def test_opportunity_page_in_chinese_shows_deadline_in_beijing_time(
    client, compiled_chinese
):
    opportunity = OpportunityFactory(
        proposal_deadline=datetime(2030, 8, 31, 15, 59, tzinfo=UTC),
        mission=MissionFactory(name_en="Chang'E-8", name_zh_hans="嫦娥八号"),
    )
    _chinese(client)

    text = client.get(opportunity.get_absolute_url()).content.decode()

    assert "北京时间 2030年8月31日 23:59（UTC+8）" in text
    assert "提案截止时间" in text
    assert "提案评价方式" in text


def test_translated_form_error_is_chinese(compiled_chinese):
    with translation.override("zh-hans"):
        form = ProfileForm(
            data={
                "full_name": "王明",
                "institution": "中国科学院",
                "country": "CN",
                "preferred_language": "zh-hans",
                "orcid": "1234",
            }
        )
        errors = str(form.errors["orcid"][0])

    assert errors.startswith("ORCID iD 由 16 个字符组成")


def test_email_subject_in_chinese_keeps_reference_and_title(compiled_chinese):
    template = Template(
        "{% load i18n %}{% blocktranslate %}[{{ reference }}] Proposal submitted: "
        "{{ title }}{% endblocktranslate %}"
    )

    with translation.override("zh-hans"):
        subject = template.render(
            Context({"reference": "CE8-2030-0007", "title": "月壤氡探测"})
        )

    assert subject == "[CE8-2030-0007] 提案已提交：月壤氡探测"


def test_plural_message_in_chinese_uses_the_single_form(compiled_chinese):
    with translation.override("zh-hans"):
        one = translation.ngettext(
            "%(counter)s open call", "%(counter)s open calls", 1
        ) % {"counter": 1}
        many = translation.ngettext(
            "%(counter)s open call", "%(counter)s open calls", 7
        ) % {"counter": 7}

    assert (one, many) == ("1 项开放中的征集", "7 项开放中的征集")


@pytest.mark.django_db
def test_profile_page_in_chinese_lists_countries_in_chinese(client, researcher):
    client.force_login(researcher)
    _chinese(client)

    text = client.get(reverse("accounts:profile")).content.decode()

    assert '<option value="CN">中国</option>' in text
    assert '<option value="AF">阿富汗</option>' in text
    assert "Afghanistan" not in text


@pytest.mark.django_db
def test_admin_in_chinese_translates_the_libraries_strings(
    client, admin_user, compiled_chinese
):
    name_authenticators()
    login_with_mfa(client, admin_user)
    _chinese(client)
    opportunity = OpportunityFactory()

    index = client.get(reverse("admin:index")).content.decode()
    authenticators = client.get(
        reverse("admin:mfa_authenticator_changelist")
    ).content.decode()
    history = client.get(
        reverse("admin:catalogue_opportunity_history", args=[opportunity.pk])
    ).content.decode()

    assert '<th scope="col">模型名称</th>' in index
    assert '<th scope="col">增加链接</th>' in index
    assert '<th scope="col">修改或查看列表链接</th>' in index
    assert '<a href="/admin/mfa/authenticator/">认证器</a>' in index
    for english in ("Model name", "Add link", "Change or view list link"):
        assert english not in index
    assert "Authenticators" not in index
    for header in ("用户", "类型", "创建时间", "最近使用时间"):
        assert f">{header}</a>" in authenticators
    assert '<th scope="col">变更内容</th>' in history
