from allauth.account.adapter import get_adapter as get_account_adapter
from django import forms
from django.utils.translation import gettext_lazy as _


class DeleteAccountForm(forms.Form):
    """The password again, and the person's word that they mean it.

    The password is checked only once the rest of the form is valid, and as a
    sign-in attempt (allauth's reauthenticate, counted by accounts.lockout):
    so guesses are limited like sign-ins, and leaving "confirm" unticked says
    nothing about the password.
    """

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account will be deleted and cannot be restored."),
    )

    def __init__(self, *args, request, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        # While locked, reauthenticate raises the lockout's ValidationError.
        try:
            right = get_account_adapter(self.request).reauthenticate(
                self.request.user, cleaned_data["password"]
            )
        except forms.ValidationError as refused:
            self.add_error("password", refused)
            return cleaned_data
        if not right:
            self.add_error(
                "password",
                forms.ValidationError(
                    _("That is not your password."), code="wrong_password"
                ),
            )
        return cleaned_data
