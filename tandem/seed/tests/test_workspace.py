"""The demo workspace keeps every rule of the models, and its logins work."""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.db import models
from django.urls import reverse

from tandem.asks.evidence import FIGURES, feature_evidence_refresh
from tandem.asks.models import Ask, Decision, FeatureEvidence
from tandem.asks.values import ask_values_refresh
from tandem.core.fiscal import business_days_after
from tandem.core.models import ExchangeRate, Workspace
from tandem.core.money import to_home_currency
from tandem.core.roles import Role
from tandem.decisions.models import Escalation
from tandem.notifications.models import Notification
from tandem.people.models import Team, User
from tandem.product.models import Feature, Product, Release
from tandem.sales.models import Account, Opportunity, Quota, Stage, StageChange
from tandem.seed.load import WORKSPACE_MODELS, seed_workspace
from tandem.seed.loop import ESCALATIONS, INBOX
from tandem.seed.scales import DEMO_LOGINS, DEMO_PASSWORD, SCALES
from tandem.seed.together import CALLS_HELD

TODAY = datetime.date(2026, 11, 23)
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One demo workspace for the whole module: every test here only reads it."""
    with django_db_blocker.unblock():
        seed_workspace(scale=SCALES["demo"], seed=7, today=TODAY)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(seeded, db) -> None:
    return None


def test_demo_seed_fills_every_kind_of_record(demo):
    models_: tuple[type[models.Model], ...] = (Workspace, *WORKSPACE_MODELS)
    for model in models_:
        assert model._default_manager.exists(), model._meta.db_table
    assert User.objects.count() == SCALES["demo"].users
    assert Account.objects.count() == 150
    assert Opportunity.objects.count() == 600
    assert Feature.objects.count() == 80
    # The loop's asks, the shipped feature's, and those the customer calls raised.
    assert Ask.objects.count() == 400 + len(INBOX) + len(ESCALATIONS) + 1 + CALLS_HELD
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    workspace = Workspace.objects.get()
    assert (workspace.home_currency, workspace.fiscal_year_start_month) == ("USD", 2)


def test_account_names_are_unique(demo):
    assert Account.objects.values("name").distinct().count() == Account.objects.count()


def test_every_seeded_row_passes_its_model_validation(demo):
    # Database constraints already held on insert; this adds the field rules (choices, lengths,
    # validators). Foreign keys and uniqueness are the database's job, so they are left out.
    for model in WORKSPACE_MODELS:
        relations = [field.name for field in model._meta.fields if field.is_relation]
        for instance in model._default_manager.all():
            instance.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)


def test_amount_home_is_the_amount_converted_at_the_close_date_rate(demo):
    foreign = Opportunity.objects.exclude(currency="USD")
    assert foreign.exists()
    for deal in foreign:
        assert deal.amount_home == to_home_currency(amount=deal.amount, currency=deal.currency, on=deal.close_date)
    assert not Opportunity.objects.filter(currency="USD").exclude(amount_home=models.F("amount")).exists()
    assert ExchangeRate.objects.filter(valid_from__gt=TODAY).count() == 0


def test_deals_follow_their_stage(demo):
    for deal in Opportunity.objects.select_related("stage"):
        assert deal.probability == deal.stage.default_probability
        assert deal.created_at <= deal.updated_at
        if deal.stage.is_closed:
            assert deal.closed_at is not None
            assert deal.created_at <= deal.closed_at
            assert deal.close_date <= TODAY
        else:
            assert deal.closed_at is None
        if deal.stage.is_lost:
            assert deal.loss_reason
        else:
            assert not deal.loss_reason
    assert Opportunity.objects.filter(stage__is_won=True).exists()
    assert Opportunity.objects.filter(stage__is_lost=True, competitor__isnull=False).exists()
    assert set(Opportunity.objects.values_list("type", flat=True)) == {"new", "renewal", "upsell"}
    assert set(Opportunity.objects.values_list("currency", flat=True)) >= {"USD", "EUR", "GBP"}


def test_stage_history_walks_up_to_the_current_stage(demo):
    orders = dict(Stage.objects.values_list("id", "order"))
    history = defaultdict(list)
    for change in StageChange.objects.order_by("opportunity_id", "changed_at", "id"):
        history[change.opportunity_id].append(change)
    for deal in Opportunity.objects.all():
        changes = history[deal.id]
        assert changes[0].from_stage_id is None
        assert changes[-1].to_stage_id == deal.stage_id
        walked = [orders[change.to_stage_id] for change in changes]
        assert walked == sorted(walked)
        assert changes[0].changed_at == deal.created_at
        if deal.closed_at:
            assert changes[-1].changed_at == deal.closed_at


def test_quotas_are_unique_and_teams_carry_the_sum_of_their_reps(demo):
    assert Quota.objects.filter(user__isnull=False).values(
        "user", "fiscal_year", "fiscal_quarter"
    ).distinct().count() == (Quota.objects.filter(user__isnull=False).count())
    for quota in Quota.objects.filter(team__isnull=False):
        reps = Quota.objects.filter(
            user__team=quota.team, fiscal_year=quota.fiscal_year, fiscal_quarter=quota.fiscal_quarter
        )
        assert quota.amount == sum(rep.amount for rep in reps)
    # Four quarters back, this one and two ahead.
    assert Quota.objects.values("fiscal_year", "fiscal_quarter").distinct().count() == 7


def test_releases_and_features_agree_on_shipping(demo):
    for release in Release.objects.all():
        assert (release.status == "shipped") == (release.shipped_at is not None)
        assert (release.status == "shipped") == (release.target_date < TODAY)
    assert not Feature.objects.filter(status="shipped").exclude(release__status="shipped").exists()
    assert not Feature.objects.filter(status__in=["planned", "in_progress"]).exclude(release__status="planned").exists()
    assert not Decision.objects.filter(outcome="planned", release__isnull=True).exists()


def test_merged_asks_point_at_an_earlier_ask_on_the_same_deal(demo):
    merged = Ask.objects.filter(status="merged").select_related("duplicate_of")
    assert merged.exists()
    for ask in merged:
        assert ask.duplicate_of is not None
        assert ask.duplicate_of_id is not None
        assert ask.duplicate_of.status == "linked"
        assert ask.duplicate_of.opportunity_id == ask.opportunity_id
        assert ask.duplicate_of.feature_id == ask.feature_id
        assert ask.duplicate_of_id < ask.id
    assert not Ask.objects.filter(status="linked", feature__isnull=True).exists()


def test_feature_evidence_counts_each_open_deal_once(demo):
    asks = Ask.objects.filter(feature__isnull=False).select_related("opportunity__stage")
    expected: dict[int, dict] = defaultdict(lambda: {"asks": 0, "accounts": set(), "deals": {}, "blockers": set()})
    for ask in asks:
        assert ask.feature_id is not None
        evidence = expected[ask.feature_id]
        evidence["asks"] += 1
        evidence["accounts"].add(ask.account_id)
        deal = ask.opportunity
        if deal and not deal.stage.is_closed:
            evidence["deals"][deal.id] = deal
            if ask.importance == "blocker":
                evidence["blockers"].add(deal.id)
    assert FeatureEvidence.objects.count() == Feature.objects.count()
    for row in FeatureEvidence.objects.all():
        evidence = expected[row.feature_id]
        deals = evidence["deals"].values()
        assert row.asks_count == evidence["asks"]
        assert row.accounts_count == len(evidence["accounts"])
        assert row.open_pipeline == sum((deal.amount_home for deal in deals), Decimal(0))
        weighted = sum((deal.amount_home * deal.probability / 100 for deal in deals), Decimal(0))
        assert row.weighted_pipeline == weighted.quantize(CENT, rounding=ROUND_HALF_UP)
        assert row.blocker_pipeline == sum((evidence["deals"][i].amount_home for i in evidence["blockers"]), Decimal(0))
    assert FeatureEvidence.objects.filter(blocker_pipeline__gt=0).exists()


def test_demo_logins_sit_where_the_demo_needs_them(demo):
    users = {
        user.username: user for user in User.objects.filter(username__in=[login.username for login in DEMO_LOGINS])
    }
    assert {username: user.role for username, user in users.items()} == {
        login.username: login.role for login in DEMO_LOGINS
    }
    assert Team.objects.get(manager=users["manager"]) == users["rep"].team
    assert Ask.objects.filter(opportunity__owner=users["rep"]).exists()
    assert Product.objects.filter(manager=users["pm"]).exists()
    assert users["admin"].is_staff
    assert users["admin"].is_superuser
    assert not users["rep"].is_staff


def test_every_demo_login_lands_on_home(demo, client):
    for login in DEMO_LOGINS:
        # Through the sign-in page, as a person does (the lockout counts sign-ins per request).
        signed_in = client.post(reverse("login"), {"username": login.username, "password": DEMO_PASSWORD})
        assert signed_in.status_code == 302, login.username
        assert client.get("/").status_code == 200
        client.logout()


def test_seeded_evidence_and_scores_match_what_the_evidence_service_computes(demo):
    def figures() -> list[tuple]:
        return list(
            FeatureEvidence.objects.order_by("feature_id").values_list("feature_id", *FIGURES, "score", "rice_score")
        )

    seeded = figures()
    feature_evidence_refresh(feature_ids=Feature.objects.values_list("id", flat=True))
    assert figures() == seeded
    for figure in ("customer_revenue", "lost_revenue", "won_after_ship", "largest_deal", "strategic_fit", "score"):
        assert FeatureEvidence.objects.filter(**{f"{figure}__gt": 0}).exists(), figure


def test_seeded_ask_values_match_what_the_value_rule_computes(demo):
    def values() -> list[tuple]:
        return list(Ask.objects.order_by("id").values_list("id", "value_home"))

    seeded = values()
    ask_values_refresh(asks=Ask.objects.all())
    assert values() == seeded
    assert Ask.objects.filter(opportunity__isnull=True, value_home__gt=0).exists()
    assert Ask.objects.filter(opportunity__isnull=False, value_home__gt=0).exists()


def test_every_decision_is_by_the_product_manager_who_holds_the_right(demo):
    """Under the default decision rights a product manager decides only on their own products, and
    an executive rules on escalations."""
    decisions = Decision.objects.select_related("feature__product", "ask__feature__product", "decided_by")
    for decision in decisions.filter(escalation__isnull=True):
        feature = decision.feature or decision.ask.feature
        if feature is not None:
            assert decision.decided_by_id == feature.product.manager_id
        assert decision.decided_by.role == Role.PRODUCT_MANAGER
    assert {ruling.decided_by.role for ruling in decisions.filter(escalation__isnull=False)} == {Role.EXECUTIVE}


def test_decisions_to_plan_were_taken_before_their_release_shipped(demo):
    for decision in Decision.objects.filter(release__status="shipped").select_related("release"):
        assert decision.release is not None
        assert decision.release.shipped_at is not None
        assert decision.decided_at < decision.release.shipped_at
    for feature in Feature.objects.filter(status="shipped").select_related("release"):
        assert feature.release is not None
        assert feature.release.shipped_at is not None
        assert feature.created_at < feature.release.shipped_at


def test_rationales_read_like_a_person_wrote_them(demo):
    assert not Decision.objects.filter(rationale__regex=r"\d+ asks").exists()
    assert not Decision.objects.filter(rationale="").exists()


def test_escalations_are_a_sales_managers_on_a_declined_ask_of_their_team(demo):
    """The generated escalations and the staged ones alike: what `escalation_create` would accept,
    due five business days on, and ruled by an executive after they were escalated."""
    escalations = Escalation.objects.select_related("escalated_by", "ask__requested_by__team", "ruling__decided_by")
    assert len(escalations) == SCALES["demo"].escalations + len(ESCALATIONS)
    now = datetime.datetime.combine(TODAY, datetime.time(), datetime.UTC)
    for escalation in escalations:
        assert escalation.escalated_by.role == Role.SALES_MANAGER
        assert escalation.ask.requested_by.team.manager_id == escalation.escalated_by_id
        declined = Decision.objects.filter(ask=escalation.ask, decided_at__lt=escalation.escalated_at)
        assert declined.filter(outcome__in=["declined", "later"]).exists()
        assert escalation.escalated_at < now
        assert escalation.due_date == business_days_after(escalation.escalated_at.astimezone(datetime.UTC).date(), 5)
        if escalation.status == "ruled":
            ruling = escalation.ruling
            assert ruling is not None
            assert ruling.ask_id == escalation.ask_id
            assert ruling.decided_by.role == Role.EXECUTIVE
            assert escalation.executive_id in (None, ruling.decided_by_id)
            assert escalation.escalated_at < ruling.decided_at < now
        else:
            assert escalation.ruling is None


def test_the_demo_shows_the_loop_to_each_demo_login(demo):
    users = {user.username: user for user in User.objects.filter(username__in=["rep", "manager", "pm", "exec"])}

    # The inbox holds new asks that read nearly the same as each other, and one near-neighbour.
    new = set(Ask.objects.filter(status="new").values_list("need", flat=True))
    assert {story.need for story in INBOX} <= new
    assert Ask.objects.filter(status="new", opportunity__owner=users["rep"], need__in=[s.need for s in INBOX]).exists()

    # Three escalations staged for the demo manager (their asks come after the generated ones): one
    # open, one overdue, one ruled by an executive.
    escalations = list(
        Escalation.objects.filter(ask__gt=SCALES["demo"].asks)
        .select_related("ask", "ruling__decided_by")
        .order_by("id")
    )
    assert [e.escalated_by_id for e in escalations] == [users["manager"].pk] * 3
    open_ones = [e for e in escalations if e.status == "open"]
    assert sorted(e.due_date < TODAY for e in open_ones) == [False, True]
    (ruled,) = [e for e in escalations if e.status == "ruled"]
    assert ruled.ruling.decided_by.role == Role.EXECUTIVE
    assert ruled.ruling.ask_id == ruled.ask_id
    assert ruled.escalated_at < ruled.ruling.decided_at
    for escalation in escalations:
        # What was escalated: a decision on the ask to decline or defer it, before the escalation.
        before = Decision.objects.filter(ask=escalation.ask, decided_at__lt=escalation.escalated_at)
        assert before.filter(outcome__in=["declined", "later"]).exists()
        assert not Decision.objects.filter(feature=escalation.ask.feature).exists()

    # The rep has unread notifications, among them a shipped release naming their open deal that asked.
    unread = Notification.objects.filter(recipient=users["rep"], read_at__isnull=True)
    assert unread.count() >= 3
    shipped = unread.get(kind="release_shipped")
    ((label, path),) = shipped.links
    deal = Opportunity.objects.get(name=label, owner=users["rep"], stage__is_won=False, stage__is_lost=False)
    assert path == f"/pipeline/opportunities/{deal.pk}/"
    asked = Ask.objects.select_related("feature__release").get(
        opportunity=deal, feature__release__status="shipped", feature__status="shipped"
    )
    shipped_at = asked.feature.release.shipped_at
    assert shipped_at is not None
    assert asked.created_at < shipped_at
    assert Notification.objects.filter(recipient=users["exec"], kind="escalation", read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=users["pm"], kind="escalation").exists()


def test_the_demo_has_leads_at_every_step_and_converted_ones_keep_their_deals_source(demo):
    from tandem.leads.models import Lead

    assert Lead.objects.count() == SCALES["demo"].leads
    assert set(Lead.objects.values_list("status", flat=True)) == set(Lead.Status.values)
    converted = Lead.objects.filter(status=Lead.Status.CONVERTED).select_related("converted_opportunity")
    assert converted.exists()
    for lead in converted:
        deal = lead.converted_opportunity
        assert deal is not None
        assert (deal.lead_source, deal.owner_id, deal.account_id) == (
            lead.source,
            lead.owner_id,
            lead.converted_account_id,
        )
        assert lead.qualified_at is not None
        assert lead.converted_at == deal.created_at
    assert not Lead.objects.filter(status=Lead.Status.DISQUALIFIED, disqualified_reason="").exists()


def test_the_demo_has_won_deals_this_quarter_and_its_months_equal_its_deals(demo):
    from tandem.core.fiscal import fiscal_quarter_of
    from tandem.sales import month_figures
    from tandem.sales.models import RepMonthFigures

    first, _ = fiscal_quarter_of(TODAY, 2).bounds(2)
    assert Opportunity.objects.filter(stage__is_won=True, close_date__gte=first, close_date__lte=TODAY).count() >= 5
    stored = sorted(RepMonthFigures.objects.filter(deals__gt=0).values_list("owner_id", "month", "won_cents", "deals"))
    month_figures.rebuild()
    assert stored == sorted(RepMonthFigures.objects.values_list("owner_id", "month", "won_cents", "deals"))
    assert sum(row[3] for row in stored) == Opportunity.objects.count()


def test_the_demos_funnel_days_equal_its_leads(demo):
    from tandem.leads import funnel_figures
    from tandem.leads.models import Lead, LeadDayFigures, LeadRepDayFigures

    stored = sorted(LeadDayFigures.objects.filter(leads__gt=0).values_list("day", "source", "campaign", "leads", "won"))
    by_rep = sorted(LeadRepDayFigures.objects.filter(leads__gt=0).values_list("day", "owner_id", "leads", "won"))
    funnel_figures.rebuild()
    assert stored == sorted(LeadDayFigures.objects.values_list("day", "source", "campaign", "leads", "won"))
    assert by_rep == sorted(LeadRepDayFigures.objects.values_list("day", "owner_id", "leads", "won"))
    assert sum(row[3] for row in stored) == sum(row[2] for row in by_rep) == Lead.objects.count()
    assert sum(row[4] for row in stored) > 0  # some converted leads' deals are won


def test_the_demo_shows_working_as_one_team(demo, client):
    """Planning has a frontier, the review has met with decisions and action items (open ones on
    their owners' homes), PMs joined calls, reps logged intel, releases have launch plans."""
    from tandem.calls.models import CallAttendee, CustomerCall
    from tandem.competition.models import FieldIntel
    from tandem.core.fiscal import fiscal_quarter_of
    from tandem.launches.models import LaunchPlan, SuccessMetric
    from tandem.reviews.models import ActionItem, ReviewMeeting

    users = {user.username: user for user in User.objects.filter(username__in=["rep", "pm", "exec", "manager"])}
    planned = fiscal_quarter_of(TODAY, 2).next()
    client.force_login(users["exec"])
    planning = client.get(reverse("planning:planning"), {"year": planned.year, "quarter": planned.quarter})
    result = planning.context["result"]
    assert not result.refusal
    assert len(result.points) >= 3  # a real trade-off between revenue and strategy
    must_haves = planning.context["must_haves"]  # the rep's approved promise among them
    assert any(because[0].startswith("committed to") for _, because in must_haves)
    assert {row.candidate.key for row, _ in must_haves} <= set(result.optimal.feature_ids)

    meeting = ReviewMeeting.objects.order_by("-held_on").first()
    page = client.get(reverse("reviews:meeting_detail", args=[meeting.pk]))
    assert page.status_code == 200
    assert page.context["decisions"]
    (open_item,) = ActionItem.objects.filter(owner=users["pm"], done_at__isnull=True)
    client.force_login(users["pm"])
    assert open_item.title in client.get("/").content.decode()

    held = CustomerCall.objects.filter(scheduled_at__date__lt=TODAY)
    assert held.filter(notes__isnull=False, asks__isnull=False).exists()
    assert CustomerCall.objects.filter(scheduled_at__date__gt=TODAY, attendees__isnull=True).exists()
    assert CallAttendee.objects.filter(product_manager=users["pm"]).exists()
    assert FieldIntel.objects.filter(author=users["rep"], opportunity__isnull=False).exists()
    assert LaunchPlan.objects.filter(release__status="shipped").exists()
    assert SuccessMetric.objects.filter(actual_30__isnull=False).exists()
