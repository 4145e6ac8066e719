"""The team's forms on "My payload".

`AnswerForm` answers one condition with text and PDF documents. Every file is
checked as a proposal's documents are (proposals.documents.check_upload); a file
that passes is kept at once in private storage under a random name, and the
form carries it on as a signed token. So when the text is missing, one file of
three is refused or the service refuses the answer, the page comes back with
the text as typed, the refusal next to the field, and the files that passed
listed as kept: nobody uploads them again. `files_for_service()` hands the kept
files to payloads.services.answer_condition; `discard_kept()` removes them from
the holding place once the answer is saved.

A token names the user and the condition it was made for and expires after a
day, so it cannot carry someone else's file into an answer.
"""

import uuid
from dataclasses import dataclass

from django import forms
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from payloads.services import (
    DOCUMENT_MAX_SIZE_MB,
    MAX_FILES_PER_ANSWER,
    DocumentLimits,
)
from proposals.documents import DocumentRefused, check_upload

PENDING_PREFIX = "payload-documents/pending/"
TOKEN_SALT = "payloads.pending-upload"  # noqa: S105 — a signing salt, not a secret
TOKEN_MAX_AGE = 24 * 60 * 60  # a day to finish the answer


@dataclass(frozen=True)
class KeptFile:
    """A checked PDF held in private storage until the answer is saved."""

    token: str
    path: str
    name: str
    size: int
    pages: int


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is judged in AnswerForm.clean_documents."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "application/pdf,.pdf"}),
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [file for file in files if file]


class KeptFilesField(forms.Field):
    """The signed tokens of files that passed on an earlier try."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        return [str(token) for token in value]


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _(
                "Write your answer: what you did or will do to meet this condition."
            )
        },
    )
    documents = MultipleFileField(
        label=_("Documents (PDF)"),
        required=False,
        allow_empty_file=True,
    )
    kept = KeptFilesField(required=False)
    discard = KeptFilesField(required=False)

    def __init__(self, *args, condition, user, **kwargs):
        self.condition = condition
        self.user = user
        self.kept_files: list[KeptFile] = []
        kwargs.setdefault("prefix", f"condition-{condition.pk}")
        super().__init__(*args, **kwargs)
        self.fields["documents"].help_text = gettext(
            "Optional. You may choose several PDF files at once, each up to "
            "%(limit)s MB."
        ) % {"limit": DOCUMENT_MAX_SIZE_MB}
        if not self.is_bound and condition.answer:
            # A returned condition: start from the answer given before.
            self.initial.setdefault("answer", condition.answer)

    # Kept files ----------------------------------------------------------------

    def _token(self, *, path: str, name: str, size: int, pages: int) -> str:
        return signing.dumps(
            {
                "path": path,
                "name": name,
                "size": size,
                "pages": pages,
                "user": self.user.pk,
                "condition": self.condition.pk,
            },
            salt=TOKEN_SALT,
            compress=True,
        )

    def _unsign(self, token: str) -> KeptFile | None:
        try:
            data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature:
            return None
        if (
            data.get("user") != self.user.pk
            or data.get("condition") != self.condition.pk
            or not str(data.get("path", "")).startswith(PENDING_PREFIX)
            or not default_storage.exists(data["path"])
        ):
            return None
        return KeptFile(
            token=token,
            path=data["path"],
            name=data["name"],
            size=data["size"],
            pages=data["pages"],
        )

    def _keep(self, checked) -> KeptFile:
        path = default_storage.save(
            f"{PENDING_PREFIX}{uuid.uuid4().hex}.pdf", ContentFile(checked.content)
        )
        token = self._token(
            path=path,
            name=checked.display_name,
            size=checked.size,
            pages=checked.page_count,
        )
        return KeptFile(
            token=token,
            path=path,
            name=checked.display_name,
            size=checked.size,
            pages=checked.page_count,
        )

    def _previously_kept(self) -> list[KeptFile]:
        discard = set(self.cleaned_data.get("discard") or [])
        kept = []
        for token in self.cleaned_data.get("kept") or []:
            kept_file = self._unsign(token)
            if kept_file is None:
                continue
            if token in discard:
                default_storage.delete(kept_file.path)
                continue
            kept.append(kept_file)
        return kept

    def clean(self):
        """Check each new file on its own: keep those that pass, name those that
        do not with the reason. Runs whether or not the answer is written."""
        cleaned = super().clean()
        uploads = cleaned.get("documents") or []
        kept = self._previously_kept()
        errors = []
        for upload in uploads:
            try:
                checked = check_upload(
                    file=upload,
                    name=upload.name,
                    required_document=DocumentLimits(
                        name=gettext("Answer to a condition")
                    ),
                )
            except DocumentRefused as refusal:
                errors.append(
                    gettext("“%(file)s”: %(reason)s")
                    % {"file": upload.name, "reason": refusal.message}
                )
                continue
            kept.append(self._keep(checked))
        if len(kept) > MAX_FILES_PER_ANSWER:
            for extra in kept[MAX_FILES_PER_ANSWER:]:
                default_storage.delete(extra.path)
            kept = kept[:MAX_FILES_PER_ANSWER]
            errors.append(
                gettext("Give at most %(count)s documents with one answer.")
                % {"count": MAX_FILES_PER_ANSWER}
            )
        self.kept_files = kept
        for error in errors:
            self.add_error("documents", error)
        self._show_kept()
        return cleaned

    def _show_kept(self) -> None:
        """The page shows the kept files again as hidden tokens; the file input
        comes back empty, as a browser never refills one."""
        if not hasattr(self.data, "setlist"):
            return
        self.data = self.data.copy()
        self.data.setlist(
            self.add_prefix("kept"), [kept.token for kept in self.kept_files]
        )
        self.data.setlist(self.add_prefix("discard"), [])

    def files_for_service(self) -> list[ContentFile]:
        """The kept PDFs, named as the team named them, for answer_condition."""
        files = []
        for kept in self.kept_files:
            with default_storage.open(kept.path, "rb") as stored:
                files.append(ContentFile(stored.read(), name=kept.name))
        return files

    def discard_kept(self) -> None:
        for kept in self.kept_files:
            default_storage.delete(kept.path)
        self.kept_files = []
