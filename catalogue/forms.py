"""Forms of the catalogue's administration: criteria weights, status moves,
amendments, AO documents."""

from decimal import Decimal

import filetype
from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from catalogue.models import Amendment, OpportunityDocument
from catalogue.workflow import FULL_WEIGHT
from config import pdf_safety


def weights_total(forms_: list[forms.Form]) -> Decimal:
    """The sum of the weights of the criteria kept (not deleted) in a formset."""
    return sum(
        (
            form.cleaned_data.get("weight") or Decimal(0)
            for form in forms_
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ),
        Decimal(0),
    )


class CriterionInlineFormSet(BaseInlineFormSet):
    """The evaluation criteria of a call, whose weights must add up to 100 %."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if not kept:
            return
        total = weights_total(kept)
        if total != FULL_WEIGHT:
            raise forms.ValidationError(
                _(
                    "The weights of the evaluation criteria add up to %(total)s %%; "
                    "they must add up to 100 %%."
                ),
                code="weights_total",
                params={"total": f"{total.normalize():f}"},
            )


class TransitionForm(forms.Form):
    """Confirms a status move, with an optional note kept in the history."""

    note = forms.CharField(
        label=_("Note for the history"),
        required=False,
        max_length=100,
        help_text=_("Optional: why the call moves, in at most 100 characters."),
    )


class AmendmentForm(forms.Form):
    """A dated amendment, in English and optionally in Simplified Chinese."""

    title_en = forms.CharField(
        label=_("Title (English)"),
        max_length=Amendment._meta.get_field("title").max_length,
    )
    body_en = forms.CharField(label=_("What changed (English)"), widget=forms.Textarea)
    title_zh_hans = forms.CharField(
        label=_("Title (Simplified Chinese)"),
        max_length=Amendment._meta.get_field("title").max_length,
        required=False,
    )
    body_zh_hans = forms.CharField(
        label=_("What changed (Simplified Chinese)"),
        widget=forms.Textarea,
        required=False,
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if bool(cleaned.get("title_zh_hans")) != bool(cleaned.get("body_zh_hans")):
            raise forms.ValidationError(
                _("Give both the Chinese title and the Chinese text, or neither."),
                code="half_translated",
            )
        return cleaned


class OpportunityDocumentForm(forms.ModelForm):
    """An AO document: any kind of file (the AO text, Word templates), but a PDF
    that would run or open anything is refused as a proposal's would be
    (config.pdf_safety), since every visitor downloads it."""

    class Meta:
        model = OpportunityDocument
        fields = ["title", "language", "file"]

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if not isinstance(file, UploadedFile):
            return file  # the one already stored
        file.seek(0)
        content = file.read()
        file.seek(0)
        kind = filetype.guess(content[:8192])
        if kind is None or kind.mime != "application/pdf":
            return file
        try:
            findings = pdf_safety.active_content_in(content)
        except pdf_safety.TooComplex as error:
            raise forms.ValidationError(error.message) from error
        except Exception as error:  # pypdf raises many kinds on a damaged file
            raise forms.ValidationError(
                _(
                    "This PDF cannot be read; it may be damaged or incomplete. Save "
                    "it again from your editor and upload it."
                )
            ) from error
        if findings:
            raise forms.ValidationError(pdf_safety.refusal_message(findings))
        return file
