"""The one base of every refusal a service raises.

A service refuses with a subclass of `Refused`, carrying one or more sentences
the person can act on (`.messages`). Views, the admin and the API show a
refusal one way: each sentence as an error message (the admin's
`messages.error`, a form's non-field errors, the API's 400/409 body). It sits
at the bottom of the import order: every app may import it, it imports nothing
of ours.
"""


class Refused(Exception):  # noqa: N818 — the name reads as the refusal
    """An action refused, with every reason as a sentence to show."""

    def __init__(self, messages=None):
        if messages is None:
            messages = []
        self.messages = (
            [messages] if isinstance(messages, str) else [str(m) for m in messages]
        )
        super().__init__(" ".join(self.messages))
