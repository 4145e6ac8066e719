"""The reviewer's forms in the admin: answering an assignment and scoring.

They only parse what the reviewer posts; reviews.services decides and writes.

- AcceptForm: accept, declaring no conflict of interest (a box to tick);
- DeclineForm: decline, with a reason;
- ConflictForm: declare a conflict of interest, with a reason;
- ReviewForm: one score per evaluation criterion of the call (1–5, each step's
  meaning shown), comments for the proposer, confidential comments for the
  panel and a recommendation. Everything may be left blank in a draft;
  reviews.services.submission_problems says what a submission still lacks.
"""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from reviews.enums import SCORE_DESCRIPTIONS, BidPreference, Recommendation, Score

ANSWER_ACCEPT = "accept"
ANSWER_DECLINE = "decline"
ANSWER_CONFLICT = "conflict"


class AcceptForm(forms.Form):
    no_conflict = forms.BooleanField(
        label=_(
            "I declare that I have no conflict of interest with this proposal: I am "
            "not on its team, I do not work with its team, and I gain nothing from "
            "its selection or rejection."
        ),
        error_messages={
            "required": _("Tick the box to declare that you have no conflict.")
        },
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you cannot review it"),
        help_text=_("For example: not my field, no time before the due date."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Give a reason for declining.")},
    )


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("Your conflict of interest"),
        help_text=_(
            "What links you to the proposal or its team. The administrators read "
            "it; the assignment ends."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Describe the conflict of interest.")},
    )


ANSWER_FORMS = {
    ANSWER_ACCEPT: AcceptForm,
    ANSWER_DECLINE: DeclineForm,
    ANSWER_CONFLICT: ConflictForm,
}


@dataclass(frozen=True)
class ScoreOption:
    """One step of the scale as a radio button, with what it means."""

    widget: object  # django.forms.boundfield.BoundWidget
    value: int
    description: str


@dataclass(frozen=True)
class ScoreRow:
    """One criterion of the call and its radio buttons."""

    criterion: object  # catalogue.models.EvaluationCriterion
    field: forms.BoundField
    options: tuple[ScoreOption, ...]


def score_field_name(criterion) -> str:
    return f"score_{criterion.pk}"


def scale() -> list[tuple[int, str, str]]:
    """(value, label, meaning) of each step, 1 to 5."""
    return [
        (choice.value, choice.label, SCORE_DESCRIPTIONS[choice]) for choice in Score
    ]


class ReviewForm(forms.Form):
    """The review as the reviewer edits it. `criteria` are the call's evaluation
    criteria, in order; each gets a field `score_<criterion id>`."""

    recommendation = forms.ChoiceField(
        label=_("Overall recommendation"),
        choices=[("", _("— not yet —")), *Recommendation.choices],
        required=False,
    )
    comments_for_proposer = forms.CharField(
        label=_("Comments for the proposer"),
        help_text=_(
            "Sent to the proposal's team with the decision, without your name."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=20000,
    )
    confidential_comments = forms.CharField(
        label=_("Confidential comments for the panel"),
        help_text=_(
            "Read by the administrators and the other reviewers only; never sent "
            "to the proposer."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=20000,
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[score_field_name(criterion)] = forms.TypedChoiceField(
                label=criterion.name,
                help_text=criterion.description,
                choices=Score.choices,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
        # The criteria first, in the call's order, then the rest.
        self.order_fields(
            [score_field_name(criterion) for criterion in self.criteria]
            + ["recommendation", "comments_for_proposer", "confidential_comments"]
        )

    @classmethod
    def for_review(cls, review, *, criteria, data=None):
        """The form filled with the review as saved (read its `scores` once)."""
        initial = {
            "recommendation": review.recommendation,
            "comments_for_proposer": review.comments_for_proposer,
            "confidential_comments": review.confidential_comments,
        }
        criteria = list(criteria)
        names = {criterion.pk: score_field_name(criterion) for criterion in criteria}
        for score in review.scores.all():
            if score.criterion_id in names:
                initial[names[score.criterion_id]] = score.score
        return cls(data=data, initial=initial, criteria=criteria)

    def score_rows(self) -> list[ScoreRow]:
        meanings = {value: meaning for value, _label, meaning in scale()}
        rows = []
        for criterion in self.criteria:
            bound = self[score_field_name(criterion)]
            options = tuple(
                ScoreOption(
                    widget=widget,
                    value=int(widget.data["value"]),
                    description=meanings[int(widget.data["value"])],
                )
                for widget in bound.subwidgets
            )
            rows.append(ScoreRow(criterion=criterion, field=bound, options=options))
        return rows

    def scores(self) -> dict[int, int | None]:
        """{criterion id: 1–5, or None when left unscored}, for the services."""
        return {
            criterion.pk: self.cleaned_data.get(score_field_name(criterion))
            for criterion in self.criteria
        }

    def review_values(self) -> dict:
        """The keyword arguments of reviews.services.save_review_draft."""
        return {
            "scores": self.scores(),
            "recommendation": self.cleaned_data["recommendation"],
            "comments_for_proposer": self.cleaned_data["comments_for_proposer"],
            "confidential_comments": self.cleaned_data["confidential_comments"],
        }


class ReviseForm(ReviewForm):
    """A submitted review changed during the discussion phase: the review's
    fields, and why (kept with the revision)."""

    reason = forms.CharField(
        label=_("Why you revise your review"),
        help_text=_(
            "For example: the discussion showed I misread the thermal design. "
            "Kept with the revision in its history."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Say why you revise your review.")},
    )

    def revision_values(self) -> dict:
        """The keyword arguments of reviews.services.revise_review."""
        return {**self.review_values(), "reason": self.cleaned_data["reason"]}


class MessageForm(forms.Form):
    """One message in a proposal's discussion."""

    body = forms.CharField(
        label=_("Your message"),
        help_text=_(
            "Read by the proposal's other reviewers and the administrators; "
            "never by the proposers."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        error_messages={"required": _("Write a message before posting.")},
    )


class ConsensusForm(forms.Form):
    """The consensus report of a proposal, sent to its team with the decision."""

    body = forms.CharField(
        label=_("Consensus report"),
        help_text=_(
            "The panel's common view, sent to the proposal's team with the "
            "decision beside each reviewer's comments, without names."
        ),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=20000,
        error_messages={"required": _("Write the consensus report.")},
    )

    def __init__(self, *args, required: bool = True, **kwargs):
        """`required=False` for administrators, who may empty the report (no
        report is then sent)."""
        super().__init__(*args, **kwargs)
        self.fields["body"].required = required


def bid_field_name(proposal_pk: int) -> str:
    return f"bid_{proposal_pk}"


class BidSheetForm(forms.Form):
    """One page of a call's bid sheet: for each proposal (a row of
    reviews.selectors.bid_sheet, with `pk` and the reviewer's `preference`), a
    choice of eager / willing / not willing / conflict, or no bid."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        for row in self.rows:
            self.fields[bid_field_name(row.pk)] = forms.ChoiceField(
                label=row.reference,
                choices=[("", _("No bid")), *BidPreference.choices],
                required=False,
                initial=getattr(row, "preference", "") or "",
                widget=forms.RadioSelect,
            )

    def row_fields(self) -> list[tuple[object, forms.BoundField]]:
        return [(row, self[bid_field_name(row.pk)]) for row in self.rows]

    def preferences(self) -> dict[int, str]:
        """{proposal id: preference or ""}, for reviews.services.place_bids."""
        return {
            row.pk: self.cleaned_data.get(bid_field_name(row.pk)) or ""
            for row in self.rows
        }
