"""Password rules in the researcher's language.

Django 5.2 words MinimumLengthValidator's error with `%d`, a message its own
Simplified Chinese catalogue does not hold yet (it translates the former
wording, with `%(min_length)d`): on the Chinese sign-up page that one message
stayed English. This validator says it with the former wording, which both
Django's catalogue and locale/zh_Hans translate. settings.AUTH_PASSWORD_VALIDATORS
names it in place of Django's.
"""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short. It must contain at least "
            "%(min_length)d character.",
            "This password is too short. It must contain at least "
            "%(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
