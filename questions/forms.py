from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from questions.models import QUESTION_MAX_LENGTH


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Translated when the form is made, in the reader's language.
        self.fields["text"].help_text = gettext(
            "At most %(limit)d characters. Only you, the call's CNSA contacts and "
            "the administrators read it as you wrote it; if it is published, it "
            "is reworded so that nobody can tell who asked."
        ) % {"limit": QUESTION_MAX_LENGTH}


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The asker receives it by email."),
    )
