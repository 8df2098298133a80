"""The optimizer against brute force: on small random instances the exact plan is as good as the best
of every subset that respects capacity, dependencies and must-haves, and it respects them too."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.planning.solver import (
    Candidate,
    NoPlanFits,
    Plan,
    _weights,
    frontier,
    greedy_gap,
    plan_greedy,
    plan_optimal,
)

TEAMS = (1, 2)


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[Candidate], dict[int, float]]:
    n = draw(st.integers(min_value=1, max_value=8))
    candidates = []
    for key in range(n):
        needs = tuple(sorted(draw(st.sets(st.integers(0, key - 1), max_size=2)))) if key else ()
        candidates.append(
            Candidate(
                key=key,
                team=draw(st.sampled_from(TEAMS)),
                effort=float(draw(st.integers(1, 10))),
                revenue=float(draw(st.integers(0, 1000))),
                strategic=float(draw(st.integers(0, 5))),
                must_have=draw(st.booleans()) and draw(st.booleans()),  # about one in four
                needs=needs,
            )
        )
    capacity = {team: float(draw(st.integers(0, 25))) for team in TEAMS}
    return candidates, capacity


def _feasible(candidates: list[Candidate], capacity: dict[int, float], chosen: set[int]) -> bool:
    by_key = {c.key: c for c in candidates}
    for team in TEAMS:
        if sum(by_key[k].effort for k in chosen if by_key[k].team == team) > capacity.get(team, 0) + 1e-9:
            return False
    if any(c.must_have and c.key not in chosen for c in candidates):
        return False
    return all(need in chosen for key in chosen for need in by_key[key].needs)


def _brute_force(candidates: list[Candidate], capacity: dict[int, float], blend: float) -> float | None:
    weights = dict(zip((c.key for c in candidates), _weights(candidates, blend), strict=True))
    best = None
    keys = [c.key for c in candidates]
    for size in range(len(keys) + 1):
        for subset in itertools.combinations(keys, size):
            if _feasible(candidates, capacity, set(subset)):
                value = sum(weights[k] for k in subset)
                best = value if best is None else max(best, value)
    return best


@settings(max_examples=150, deadline=None)
@given(instances(), st.sampled_from([0.0, 0.3, 0.5, 1.0]))
def test_the_plan_is_as_good_as_brute_force_and_respects_every_rule(instance, blend):
    candidates, capacity = instance
    best = _brute_force(candidates, capacity, blend)
    if best is None:
        with pytest.raises(NoPlanFits):
            plan_optimal(candidates, capacity, blend)
        return
    plan = plan_optimal(candidates, capacity, blend)
    assert _feasible(candidates, capacity, set(plan.chosen))
    assert plan.objective == pytest.approx(best, abs=1e-7)


@settings(max_examples=100, deadline=None)
@given(instances(), st.sampled_from([0.0, 0.5, 1.0]))
def test_the_greedy_plan_respects_every_rule_and_never_beats_the_best(instance, blend):
    candidates, capacity = instance
    try:
        optimal = plan_optimal(candidates, capacity, blend)
    except NoPlanFits:
        return
    try:
        greedy = plan_greedy(candidates, capacity, blend)
    except NoPlanFits:
        return  # greedy takes must-haves one by one; it may fail where an order would fit
    assert _feasible(candidates, capacity, set(greedy.chosen))
    assert greedy.objective <= optimal.objective + 1e-9
    assert 0 <= greedy_gap(optimal, greedy) <= 1


@settings(max_examples=40, deadline=None)
@given(instances())
def test_no_frontier_point_is_beaten_on_both_revenue_and_strategy(instance):
    candidates, capacity = instance
    try:
        points = frontier(candidates, capacity, steps=11)
    except NoPlanFits:
        return
    assert len({p.chosen for _, p in points}) == len(points)  # deduplicated
    for blend, plan in points:
        if 0 < blend < 1:
            for _, other in points:
                assert not (other.revenue > plan.revenue + 1e-6 and other.strategic > plan.strategic + 1e-6)


def test_a_feature_comes_only_with_what_it_needs():
    candidates = [
        Candidate(key=1, team=1, effort=5, revenue=1000, strategic=0, needs=(2,)),
        Candidate(key=2, team=1, effort=5, revenue=0, strategic=0),
        Candidate(key=3, team=1, effort=6, revenue=900, strategic=0),
    ]
    plan = plan_optimal(candidates, {1: 10}, blend=1.0)
    assert plan.chosen == {1, 2}  # 1000 with its dependency beats 900 alone
    assert plan_optimal(candidates, {1: 9}, blend=1.0).chosen == {3}


def test_must_haves_that_do_not_fit_are_refused():
    candidates = [Candidate(key=1, team=1, effort=12, revenue=0, strategic=1, must_have=True)]
    with pytest.raises(NoPlanFits):
        plan_optimal(candidates, {1: 10}, blend=0.5)


def test_the_greedy_gap_is_the_share_of_value_missed():
    best = Plan(frozenset({1}), 100.0, 0.0, 0.8)
    greedy = Plan(frozenset({2}), 60.0, 0.0, 0.6)
    assert greedy_gap(best, greedy) == pytest.approx(0.25)
