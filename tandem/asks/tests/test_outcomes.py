"""Each ask's outcome: where the loop stands for it, as every role reads it (asks/outcomes.py)."""

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from tandem.asks.models import Ask, Decision
from tandem.asks.services import ask_create, ask_link, ask_merge
from tandem.asks.tests.factories import AskFactory
from tandem.core.roles import Role
from tandem.decisions.services import decision_record
from tandem.people.tests.factories import TeamFactory, UserFactory
from tandem.product.models import Feature, Release
from tandem.product.services import feature_delete, feature_update, release_ship
from tandem.product.tests.factories import FeatureFactory, ProductFactory, ReleaseFactory
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory


@pytest.fixture
def payments(product_manager):
    product = ProductFactory(name="Payments", manager=product_manager)
    return {
        "product": product,
        "release": ReleaseFactory(product=product, name="2027.2"),
        "feature": FeatureFactory(product=product, title="SAML single sign-on"),
    }


def _ask(rep, **kwargs):
    return AskFactory(opportunity=OpportunityFactory(owner=rep, account=AccountFactory(owner=rep)), **kwargs)


def _reloaded(*asks):
    return [Ask.objects.get(pk=ask.pk) for ask in asks]


def test_a_linked_ask_takes_its_features_plan_and_sales_reads_it_as_planned(rep, product_manager, payments):
    feature, release = payments["feature"], payments["release"]
    decision = decision_record(
        actor=product_manager, feature=feature, outcome="planned", release=release, rationale="Next quarter."
    )
    ask = _ask(rep)

    ask_link(actor=product_manager, ask=ask, feature=feature)

    (ask,) = _reloaded(ask)
    assert (ask.outcome, ask.outcome_decision) == ("planned", decision)
    assert ask.get_loop_status_display() == "Planned"


def test_a_decision_on_a_feature_reaches_every_ask_and_merged_duplicate(rep, other_rep, product_manager, payments):
    feature = payments["feature"]
    first = _ask(rep, feature=feature, status=Ask.Status.LINKED)
    second = _ask(other_rep, feature=feature, status=Ask.Status.LINKED)
    duplicate = _ask(other_rep)
    ask_merge(actor=product_manager, duplicate=duplicate, original=first)

    decision = decision_record(actor=product_manager, feature=feature, outcome="declined", rationale="Off strategy.")

    for ask in _reloaded(first, second, duplicate):
        assert (ask.outcome, ask.outcome_decision) == ("declined", decision)


def test_a_newer_decision_on_one_ask_stands_over_its_features_until_the_feature_is_decided_again(
    rep, product_manager, payments
):
    feature, release = payments["feature"], payments["release"]
    ask, neighbour = _ask(rep, feature=feature, status=Ask.Status.LINKED), _ask(rep, feature=feature, status="linked")
    later = decision_record(actor=product_manager, ask=ask, outcome="later", rationale="After their renewal.")
    assert [a.outcome for a in _reloaded(ask, neighbour)] == ["later", ""]

    decision_record(actor=product_manager, feature=feature, outcome="planned", release=release, rationale="Now.")

    ask, neighbour = _reloaded(ask, neighbour)
    assert (ask.outcome, neighbour.outcome) == ("planned", "planned")
    assert ask.outcome_decision != later


def test_planning_one_ask_plans_its_feature_for_the_features_other_asks(rep, product_manager, payments):
    feature, release = payments["feature"], payments["release"]
    ask, neighbour = _ask(rep, feature=feature, status="linked"), _ask(rep, feature=feature, status="linked")

    decision_record(actor=product_manager, ask=ask, outcome="planned", release=release, rationale="For Acme.")

    assert [a.outcome for a in _reloaded(ask, neighbour)] == ["planned", "planned"]


def test_shipping_makes_every_ask_of_its_features_shipped(rep, product_manager, payments):
    feature, release = payments["feature"], payments["release"]
    ask = _ask(rep, feature=feature, status=Ask.Status.LINKED)
    decision_record(actor=product_manager, ask=ask, outcome="declined", rationale="Not for them.")
    decision_record(actor=product_manager, feature=feature, outcome="planned", release=release, rationale="Q2.")

    release_ship(actor=product_manager, release=release)

    (ask,) = _reloaded(ask)
    assert ask.outcome == "shipped"
    assert ask.get_loop_status_display() == "Shipped"


def test_a_feature_moved_on_its_form_moves_its_asks(rep, product_manager, payments):
    feature, release = payments["feature"], payments["release"]
    ask = _ask(rep, feature=feature, status=Ask.Status.LINKED)

    feature_update(actor=product_manager, feature=feature, expected_version=feature.version, status="planned",
                   release=release)  # fmt: skip

    assert _reloaded(ask)[0].outcome == "planned"
    feature.refresh_from_db()
    feature_update(actor=product_manager, feature=feature, expected_version=feature.version, status="backlog",
                   release=None)  # fmt: skip
    assert _reloaded(ask)[0].outcome == ""


def test_an_ask_waiting_for_triage_shows_no_outcome_of_the_feature_a_rep_proposed(rep, product_manager, payments):
    feature, release = payments["feature"], payments["release"]
    feature.visibility = Feature.Visibility.SALES
    feature.save()
    decision_record(actor=product_manager, feature=feature, outcome="planned", release=release, rationale="Q2.")
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep))

    ask = ask_create(actor=rep, account=deal.account, opportunity=deal, need="SSO", feature=feature)

    assert (ask.status, ask.outcome, ask.get_loop_status_display()) == ("new", "", "New")


def test_deleting_a_feature_sends_its_asks_back_to_triage_without_its_outcome(rep, product_manager, payments):
    feature = payments["feature"]
    ask = _ask(rep, feature=feature, status=Ask.Status.LINKED)
    decision_record(actor=product_manager, feature=feature, outcome="declined", rationale="No.")

    feature_delete(actor=product_manager, feature=feature)

    (ask,) = _reloaded(ask)
    assert (ask.status, ask.outcome, ask.outcome_decision) == ("new", "", None)


# The rule, read again in plain Python over each ask's records: an independent check of the stored
# outcomes after any sequence of triage, decisions, edits and shipping.
def expected_outcome(ask: Ask) -> tuple[str, int | None]:
    feature = Feature.objects.filter(pk=ask.feature_id).first()
    if ask.status == Ask.Status.NEW:
        feature = None
    on_feature = list(Decision.objects.filter(feature=feature).order_by("decided_at", "id")) if feature else []
    own_ids = [ask.pk] + ([ask.duplicate_of_id] if ask.duplicate_of_id else [])
    on_ask = list(Decision.objects.filter(ask_id__in=own_ids).order_by("decided_at", "id"))
    if feature is not None and feature.status == Feature.Status.SHIPPED:
        planned = [d for d in on_feature if d.outcome == "planned"]
        return "shipped", planned[-1].pk if planned else None
    if on_ask and (not on_feature or on_ask[-1].decided_at > on_feature[-1].decided_at):
        return on_ask[-1].outcome, on_ask[-1].pk
    if feature is None:
        return "", None
    if feature.status in (Feature.Status.PLANNED, Feature.Status.IN_PROGRESS, Feature.Status.DECLINED):
        outcome = "declined" if feature.status == Feature.Status.DECLINED else "planned"
        matching = [d for d in on_feature if d.outcome == outcome]
        return outcome, matching[-1].pk if matching else None
    if on_feature and on_feature[-1].outcome in ("later", "needs_info"):
        return on_feature[-1].outcome, on_feature[-1].pk
    return "", None


OUTCOMES = st.sampled_from(["planned", "declined", "later", "needs_info"])


class OutcomeMachine(RuleBasedStateMachine):
    """Random triage, decisions, feature edits and ships through the services; after each step every
    ask's stored outcome is what the rule says."""

    @initialize()
    def workspace(self):
        self.pm = UserFactory(role=Role.PRODUCT_MANAGER)
        self.executive = UserFactory(role=Role.EXECUTIVE)  # decides on any product, never refused
        rep = UserFactory(role=Role.REP, team=TeamFactory(manager=UserFactory(role=Role.SALES_MANAGER)))
        product = ProductFactory(manager=self.pm)
        self.features = [FeatureFactory(product=product, title=f"Feature {i}") for i in range(3)]
        self.asks = [_ask(rep) for _ in range(5)]

    def _fresh(self, index: int) -> Ask:
        return Ask.objects.get(pk=self.asks[index].pk)

    @rule(ask=st.integers(0, 4), feature=st.integers(0, 2))
    def link(self, ask, feature):
        current = self._fresh(ask)
        if current.status != Ask.Status.MERGED:
            ask_link(actor=self.pm, ask=current, feature=Feature.objects.get(pk=self.features[feature].pk))

    @rule(duplicate=st.integers(0, 4), original=st.integers(0, 4))
    def merge(self, duplicate, original):
        first, second = self._fresh(duplicate), self._fresh(original)
        distinct = first.pk != second.pk and Ask.Status.MERGED not in (first.status, second.status)
        if distinct and not Ask.objects.filter(duplicate_of=first).exists():
            ask_merge(actor=self.pm, duplicate=first, original=second)

    def _release(self, feature: Feature) -> Release:
        return Release.objects.filter(product=feature.product, status="planned").first() or ReleaseFactory(
            product=feature.product, name=f"R{Release.objects.count()}"
        )

    @rule(feature=st.integers(0, 2), outcome=OUTCOMES)
    def decide_feature(self, feature, outcome):
        target = Feature.objects.get(pk=self.features[feature].pk)
        if target.status != Feature.Status.SHIPPED:
            release = self._release(target) if outcome == "planned" else None
            decision_record(actor=self.executive, feature=target, outcome=outcome, release=release, rationale="x")

    @rule(ask=st.integers(0, 4), outcome=OUTCOMES)
    def decide_ask(self, ask, outcome):
        target = self._fresh(ask)
        feature = target.feature
        if outcome == "planned" and (feature is None or feature.status == Feature.Status.SHIPPED):
            return
        release = self._release(feature) if outcome == "planned" else None
        decision_record(actor=self.executive, ask=target, outcome=outcome, release=release, rationale="x")

    @rule(feature=st.integers(0, 2), status=st.sampled_from(["backlog", "in_progress", "declined"]))
    def edit_status(self, feature, status):
        target = Feature.objects.get(pk=self.features[feature].pk)
        if target.status != Feature.Status.SHIPPED:
            feature_update(actor=self.pm, feature=target, expected_version=target.version, status=status)

    @rule(feature=st.integers(0, 2))
    def ship(self, feature):
        target = Feature.objects.get(pk=self.features[feature].pk)
        if target.release is not None and target.release.status == Release.Status.PLANNED:
            release_ship(actor=self.pm, release=target.release)

    @invariant()
    def outcomes_follow_the_rule(self):
        for stored in Ask.objects.filter(pk__in=[a.pk for a in getattr(self, "asks", [])]):
            assert (stored.outcome, stored.outcome_decision_id) == expected_outcome(stored), stored.pk


def test_every_asks_outcome_follows_the_rule_after_any_sequence_of_writes(db):
    # Each example builds its own product, features and asks, so examples share the test's
    # transaction without seeing each other's records.
    run_state_machine_as_test(
        OutcomeMachine,
        settings=settings(
            max_examples=30, stateful_step_count=12, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
