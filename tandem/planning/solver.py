"""Choosing a quarter's features under each team's capacity: the exact plan, its frontier, the greedy plan.

Pure functions over plain numbers (no database), so the optimizer is tested against brute force and
benchmarked on its own (`bench/planning.py`).

A plan picks features so that
- each team's picked effort stays within its capacity (person-weeks),
- a picked feature's dependencies are picked too (feature A needs B),
- the must-haves are picked,
and maximises a blend of the two values a feature brings: `λ · revenue / R + (1 - λ) · strategic / S`,
where R and S are the totals over every candidate, so that λ trades shares of each rather than
euros against goal weights. λ = 1 is all this quarter's revenue, λ = 0 all long-term strategy.
The exact plan is an integer programme solved by HiGHS (`scipy.optimize.milp`).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

# A plan's objective is exact to this relative tolerance; HiGHS's default (1e-4) could stop at a plan
# brute force beats by a hair.
MIP_GAP = 1e-9


@dataclass(frozen=True)
class Candidate:
    """A feature that may go into the quarter: its team, its effort and the two values it brings."""

    key: int
    team: int
    effort: float
    revenue: float
    strategic: float
    must_have: bool = False
    needs: tuple[int, ...] = ()


@dataclass(frozen=True)
class Plan:
    chosen: frozenset[int]
    revenue: float
    strategic: float
    objective: float  # the blend, between 0 and 1


class NoPlanFits(Exception):
    """The must-haves (with what they need) do not fit the capacity, or need a feature that is not a candidate."""


def _weights(candidates: Sequence[Candidate], blend: float) -> np.ndarray:
    revenue = np.array([c.revenue for c in candidates], dtype=float)
    strategic = np.array([c.strategic for c in candidates], dtype=float)
    total_revenue, total_strategic = revenue.sum(), strategic.sum()
    weights = np.zeros(len(candidates))
    if total_revenue > 0:
        weights += blend * revenue / total_revenue
    if total_strategic > 0:
        weights += (1 - blend) * strategic / total_strategic
    return weights


def _plan(candidates: Sequence[Candidate], chosen: set[int], blend: float) -> Plan:
    weights = _weights(candidates, blend)
    picked = [i for i, c in enumerate(candidates) if c.key in chosen]
    return Plan(
        chosen=frozenset(chosen),
        revenue=sum(candidates[i].revenue for i in picked),
        strategic=sum(candidates[i].strategic for i in picked),
        objective=float(weights[picked].sum()) if picked else 0.0,
    )


def plan_optimal(candidates: Sequence[Candidate], capacity: dict[int, float], blend: float) -> Plan:
    """The best plan for this blend (0 ≤ blend ≤ 1). Raises NoPlanFits when none respects the rules."""
    if not candidates:
        return Plan(frozenset(), 0.0, 0.0, 0.0)
    index = {c.key: i for i, c in enumerate(candidates)}
    for candidate in candidates:
        missing = [need for need in candidate.needs if need not in index]
        if missing and candidate.must_have:
            raise NoPlanFits(f"Feature {candidate.key} must be in but needs features that are not candidates.")
    n = len(candidates)
    rows, cols, values, upper = [], [], [], []
    teams = sorted({c.team for c in candidates})
    for row, team in enumerate(teams):
        for i, candidate in enumerate(candidates):
            if candidate.team == team:
                rows.append(row)
                cols.append(i)
                values.append(candidate.effort)
        upper.append(capacity.get(team, 0.0))
    row = len(teams)
    lower_bounds = np.zeros(n)
    upper_bounds = np.ones(n)
    for i, candidate in enumerate(candidates):
        if candidate.must_have:
            lower_bounds[i] = 1
        for need in candidate.needs:
            if need not in index:  # needs something that cannot be planned: it cannot be planned either
                upper_bounds[i] = 0
                continue
            rows += [row, row]
            cols += [i, index[need]]
            values += [1.0, -1.0]
            upper.append(0.0)
            row += 1
    matrix = coo_array((values, (rows, cols)), shape=(row, n)).tocsr()
    constraints = LinearConstraint(matrix, -np.inf, np.array(upper))
    result = milp(
        -_weights(candidates, blend),
        integrality=np.ones(n),
        bounds=Bounds(lower_bounds, upper_bounds),
        constraints=constraints,
        options={"mip_rel_gap": MIP_GAP},
    )
    if result.x is None:
        raise NoPlanFits("The must-haves and what they need do not fit the teams' capacity.")
    chosen = {candidates[int(i)].key for i in np.flatnonzero(result.x > 0.5)}
    return _plan(candidates, chosen, blend)


def _closure(key: int, by_key: dict[int, Candidate], chosen: set[int]) -> set[int] | None:
    """The feature and everything it needs that is not chosen yet; None when something is not a candidate."""
    found: set[int] = set()
    stack = [key]
    while stack:
        current = stack.pop()
        if current in chosen or current in found:
            continue
        if current not in by_key:
            return None
        found.add(current)
        stack.extend(by_key[current].needs)
    return found


def plan_greedy(candidates: Sequence[Candidate], capacity: dict[int, float], blend: float) -> Plan:
    """The plan a spreadsheet makes: must-haves first, then features by value per person-week while they fit.

    A feature comes with whatever it needs that is not in yet, and goes in only if all of it fits.
    """
    by_key = {c.key: c for c in candidates}
    weights = dict(zip((c.key for c in candidates), _weights(candidates, blend), strict=True))
    left = dict(capacity)
    chosen: set[int] = set()

    def take(key: int) -> bool:
        group = _closure(key, by_key, chosen)
        if group is None:
            return False
        needed: dict[int, float] = {}
        for member in group:
            needed[by_key[member].team] = needed.get(by_key[member].team, 0.0) + by_key[member].effort
        if any(effort > left.get(team, 0.0) + 1e-9 for team, effort in needed.items()):
            return False
        for team, effort in needed.items():
            left[team] = left.get(team, 0.0) - effort
        chosen.update(group)
        return True

    for candidate in candidates:
        if candidate.must_have and not take(candidate.key):
            raise NoPlanFits("The must-haves and what they need do not fit the teams' capacity.")
    by_density = sorted(candidates, key=lambda c: (-weights[c.key] / c.effort, c.key))
    for candidate in by_density:
        if candidate.key not in chosen and weights[candidate.key] > 0:
            take(candidate.key)
    return _plan(candidates, chosen, blend)


def frontier(candidates: Sequence[Candidate], capacity: dict[int, float], steps: int = 11) -> list[tuple[float, Plan]]:
    """The optimal plan for λ = 0, 1/(steps-1), …, 1, keeping one point per distinct plan (its lowest λ).

    Each point is a plan no other plan beats on both revenue and strategic value (for λ strictly
    between 0 and 1; at the ends ties are broken by the solver).
    """
    points: list[tuple[float, Plan]] = []
    seen: set[frozenset[int]] = set()
    for step in range(steps):
        blend = step / (steps - 1) if steps > 1 else 1.0
        plan = plan_optimal(candidates, capacity, blend)
        if plan.chosen not in seen:
            seen.add(plan.chosen)
            points.append((blend, plan))
    return points


def must_have_effort(candidates: Sequence[Candidate]) -> dict[int, float]:
    """Each team's person-weeks the must-haves take, with every candidate they need, directly or not."""
    by_key = {c.key: c for c in candidates}
    taken: set[int] = set()
    for candidate in candidates:
        if candidate.must_have:
            taken |= _closure(candidate.key, by_key, taken) or set()
    effort: dict[int, float] = {}
    for key in taken:
        effort[by_key[key].team] = effort.get(by_key[key].team, 0.0) + by_key[key].effort
    return effort


def greedy_gap(optimal: Plan, greedy: Plan) -> float:
    """How much of the best plan's blended value the greedy plan misses, as a share (0 = as good)."""
    if optimal.objective <= 0:
        return 0.0
    return max(0.0, (optimal.objective - greedy.objective) / optimal.objective)
