"""The ranking figures of a call, kept between requests.

Computing a call's figures (reviews.selectors.standings) takes a statement of
about 100 ms at 2,000 proposals; a panel page needs them on every request. So
they are kept as rows: a RankingFigureSet is the figures of one call at one
stage at one `version` of its RankingState, and RankingFigures its rows, one per
proposal with an assignment at that stage.

RankingState.version goes up whenever something the figures read changes (a
review, a score, an assignment, a proposal withdrawn, a criterion, the call's
panel): reviews.signals does it in the writer's own transaction. A reader uses
the set of the current version, or computes it; a set of an older version is
never read again and is removed when a newer one is made. Because the version
is read before the figures are computed, a set can only ever be newer than its
label, never older: a change committed while a set is computed leaves that set
under an outdated version.
"""

from django.db import models

from catalogue.models import Opportunity
from proposals.enums import ProposalStage
from proposals.models import Proposal


class RankingState(models.Model):
    """A counter per call, raised by every change to its ranking's inputs."""

    opportunity = models.OneToOneField(
        Opportunity, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.version}"


class RankingFigureSet(models.Model):
    """The figures of one call at one stage as of one version."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="+"
    )
    stage = models.CharField(max_length=8, choices=ProposalStage.choices)
    version = models.PositiveBigIntegerField()
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "stage", "version"],
                name="ranking_figure_set_once_per_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id} {self.stage} v{self.version}"


class RankingFigures(models.Model):
    """One proposal's figures in a set; the columns of the figures statement
    (reviews.selectors.standings.ranking_rows documents each)."""

    figure_set = models.ForeignKey(
        RankingFigureSet, on_delete=models.CASCADE, related_name="+"
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    reviews_in = models.IntegerField()
    reviews_assigned = models.IntegerField()
    incomplete = models.BooleanField()
    weighted_mean = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    normalised = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    spread = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    rank_mean = models.IntegerField(null=True)
    rank_normalised = models.IntegerField(null=True)
    disagreement = models.BooleanField()
    triaged = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["figure_set", "proposal"],
                name="ranking_figures_once_per_proposal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.figure_set_id}: {self.proposal_id}"
