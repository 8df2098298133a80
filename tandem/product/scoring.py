"""The feature score: one pure function from a feature's evidence and the executive's weights to a
score and its breakdown, term by term. The formula is documented in docs/scoring.md.

Default formula: a weighted blend of four terms, each normalised to about 0..1 so the weights
compare like with like, divided by effort and scaled by confidence:

    score = 100 * (w_revenue*revenue + w_reach*reach + w_fit*fit + w_urgency*urgency) * confidence / effort

RICE, the alternative: reach (accounts) * impact (mean importance of the asks) * confidence / effort.

Scores are not money: they are computed in floating point and stored rounded to 4 places.
"""

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# Normalisation: money on a log scale, 1.0 at 10 million in the home currency; accounts on a log
# scale, 1.0 at 100 accounts; strategic fit 0.5 at a goal-weight sum of FIT_HALF.
REVENUE_REFERENCE = 10_000_000
REACH_REFERENCE = 100
FIT_HALF = 2.0
# Confidence as a multiplier: RICE's 100 % / 80 % / 50 %.
CONFIDENCE = {"committed": 1.0, "likely": 0.8, "exploring": 0.5}
# RICE impact of one ask by its importance: low, medium, massive on RICE's scale.
IMPACT = {"nice_to_have": 0.5, "important": 1.0, "blocker": 3.0}
SCORE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class ScoreInputs:
    """What a feature's score depends on: its evidence figures and the feature's own estimates."""

    open_pipeline: Decimal
    weighted_pipeline: Decimal
    blocker_pipeline: Decimal
    accounts: int
    strategic_fit: Decimal  # sum of the weights of the active goals the feature serves
    asks: int
    important_asks: int
    blocker_asks: int
    effort: Decimal | None  # person-weeks; None when not estimated
    confidence: str


@dataclass(frozen=True)
class ScoringWeights:
    revenue: Decimal
    reach: Decimal
    fit: Decimal
    urgency: Decimal
    default_effort: Decimal  # person-weeks assumed while a feature has no estimate


@dataclass(frozen=True)
class Term:
    """One term of the default formula: its normalised value (about 0..1) and its weight."""

    key: str
    label: str
    value: float
    weight: float

    @property
    def contribution(self) -> float:
        return self.value * self.weight


@dataclass(frozen=True)
class Breakdown:
    terms: tuple[Term, ...]  # revenue at stake, reach, strategic fit, urgency
    blend: float
    effort: float
    effort_estimated: bool
    confidence: float
    score: Decimal
    # RICE
    rice_reach: int
    rice_impact: float
    rice_score: Decimal


def _rounded(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def _share(part: Decimal, whole: Decimal) -> float:
    return float(part / whole) if whole > 0 else 0.0


def urgency_of(*, open_pipeline: Decimal, weighted_pipeline: Decimal, blocker_pipeline: Decimal) -> float:
    """0..1: half the share of the pipeline at stake held by blocker deals, half its mean probability.

    Probability rises as a deal nears its close, so it stands for "closing soon" without making a
    stored score age by the calendar (close dates would change it every day without any event).
    """
    return (_share(blocker_pipeline, open_pipeline) + _share(weighted_pipeline, open_pipeline)) / 2


def score_breakdown(inputs: ScoreInputs, weights: ScoringWeights) -> Breakdown:
    """The default score and RICE for one feature, with every term shown."""
    revenue = math.log10(1 + float(inputs.open_pipeline)) / math.log10(1 + REVENUE_REFERENCE)
    reach = math.log(1 + inputs.accounts) / math.log(1 + REACH_REFERENCE)
    fit_sum = float(inputs.strategic_fit)
    fit = fit_sum / (fit_sum + FIT_HALF) if fit_sum > 0 else 0.0
    urgency = urgency_of(
        open_pipeline=inputs.open_pipeline,
        weighted_pipeline=inputs.weighted_pipeline,
        blocker_pipeline=inputs.blocker_pipeline,
    )
    terms = (
        Term("revenue", "Revenue at stake", revenue, float(weights.revenue)),
        Term("reach", "Reach", reach, float(weights.reach)),
        Term("fit", "Strategic fit", fit, float(weights.fit)),
        Term("urgency", "Urgency", urgency, float(weights.urgency)),
    )
    blend = sum(term.contribution for term in terms)
    estimated = inputs.effort is not None and inputs.effort > 0
    effort = float(inputs.effort if estimated and inputs.effort is not None else weights.default_effort)
    confidence = CONFIDENCE.get(inputs.confidence, CONFIDENCE["exploring"])
    nice = max(0, inputs.asks - inputs.important_asks - inputs.blocker_asks)
    points = (
        IMPACT["nice_to_have"] * nice
        + IMPACT["important"] * inputs.important_asks
        + IMPACT["blocker"] * inputs.blocker_asks
    )
    impact = points / inputs.asks if inputs.asks else 0.0
    return Breakdown(
        terms=terms,
        blend=blend,
        effort=effort,
        effort_estimated=estimated,
        confidence=confidence,
        score=_rounded(100 * blend * confidence / effort),
        rice_reach=inputs.accounts,
        rice_impact=impact,
        rice_score=_rounded(inputs.accounts * impact * confidence / effort),
    )
