"""The announcement's own documents on a call page, by language.

{% load ao_documents %}
{% ao_document_groups documents as groups %}
{% for group in groups %}{{ group.label }}{% for entry in group.entries %}
  {{ entry.document.title }} {{ entry.kind }} {{ entry.size|filesizeformat }}
{% endfor %}{% endfor %}

Groups come in the reader's language first, then in the order of
DocumentLanguage; within a group, by title. A file missing from the storage
shows without its size rather than breaking the page (its download is a 404).
"""

import mimetypes
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import template
from django.utils.translation import get_language, pgettext

from catalogue.enums import DocumentLanguage

register = template.Library()

# The name of each language as its readers write it.
OWN_NAMES = {
    DocumentLanguage.EN: "English",
    DocumentLanguage.ZH_HANS: "简体中文",
}


@dataclass(frozen=True)
class DocumentEntry:
    document: object
    kind: str
    size: int | None


@dataclass(frozen=True)
class DocumentGroup:
    language: str
    label: str
    entries: list[DocumentEntry]


def file_kind(name: str) -> str:
    """What the file is, as a reader says it: "PDF", "Word", "ZIP" …"""
    suffix = PurePosixPath(name).suffix.lower()
    mime, _encoding = mimetypes.guess_type(f"x{suffix}")
    if mime == "application/pdf":
        return pgettext("file type", "PDF")
    if suffix in {".doc", ".docx"}:
        return pgettext("file type", "Word")
    return suffix.lstrip(".").upper() or pgettext("file type", "File")


def _size(document) -> int | None:
    try:
        return document.file.size
    except (OSError, ValueError):
        return None


@register.simple_tag
def ao_document_groups(documents) -> list[DocumentGroup]:
    reader = (get_language() or "").lower()
    order = list(DocumentLanguage.values)
    by_language: dict[str, list] = {}
    for document in documents:
        by_language.setdefault(document.language, []).append(document)

    def rank(language: str) -> tuple[int, int]:
        known = order.index(language) if language in order else len(order)
        return (0 if language == reader else 1, known)

    return [
        DocumentGroup(
            language=language,
            label=OWN_NAMES.get(language, language),
            entries=[
                DocumentEntry(
                    document=document,
                    kind=file_kind(document.file.name),
                    size=_size(document),
                )
                for document in sorted(
                    by_language[language], key=lambda d: (d.title, d.pk)
                )
            ],
        )
        for language in sorted(by_language, key=rank)
    ]
