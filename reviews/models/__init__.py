"""Reviewers, their assignments and reviews, and the decisions on proposals.

A ReviewAssignment asks one reviewer to review one proposal at one stage (letter
of intent or full proposal), on the frozen version that proposals'
`version_for_review` returns, fixed when the assignment is made (the stage's
deadline has passed by then, so no later version can replace it). The reviewer
accepts it by declaring no conflict of interest, which opens a Review: one score
per evaluation criterion (ReviewScore), comments for the proposer, confidential
comments for the panel and a recommendation.

Only reviews.workflow assigns the `status` of an assignment or a review; each
move is recorded as an AssignmentEvent or a ReviewEvent (who, when, from, to, why).
A Decision records the outcome of a full proposal and the letter sent with it;
release_decisions sends them all at once. A call's Panel holds its bidding and
discussion phases (only reviews.workflow assigns them), and around it the
reviewers' Bids, each proposal's DiscussionPosts, the ReviewRevisions kept when a
submitted review is revised, and the proposal's ConsensusReport.

The package: reviewers.py, assignments.py, decisions.py, panels.py, standings.py
(the ranking figures kept between requests).
"""

from reviews.models.assignments import (
    AssignmentEvent,
    HistoryLine,
    Review,
    ReviewAssignment,
    ReviewEvent,
    ReviewScore,
)
from reviews.models.decisions import (
    Decision,
    DecisionLetterTemplate,
)
from reviews.models.panels import (
    Bid,
    ConsensusReport,
    DiscussionPost,
    DiscussionReader,
    Panel,
    PanelEvent,
    ReviewRevision,
)
from reviews.models.plans import AssignmentPlanRun, PlanLoad, PlannedPair, PlanShortfall
from reviews.models.reviewers import (
    ReviewerProfile,
    split_keywords,
)
from reviews.models.standings import (
    RankingFigures,
    RankingFigureSet,
    RankingState,
)

__all__ = [
    "AssignmentEvent",
    "AssignmentPlanRun",
    "Bid",
    "ConsensusReport",
    "Decision",
    "DecisionLetterTemplate",
    "DiscussionPost",
    "DiscussionReader",
    "HistoryLine",
    "Panel",
    "PanelEvent",
    "PlanLoad",
    "PlanShortfall",
    "PlannedPair",
    "RankingFigureSet",
    "RankingFigures",
    "RankingState",
    "Review",
    "ReviewAssignment",
    "ReviewEvent",
    "ReviewRevision",
    "ReviewScore",
    "ReviewerProfile",
    "split_keywords",
]
