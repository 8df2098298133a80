import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.asks.models import FeatureEvidence
from tandem.asks.tests.factories import AskFactory
from tandem.core import formats
from tandem.product.models import Feature, Goal, Release, ScoringSettings
from tandem.product.selectors import scoring_settings_get
from tandem.product.tests.factories import FeatureFactory, GoalFactory, ProductFactory, ReleaseFactory
from tandem.product.tests.queries import assert_same_queries, queries_of
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

LIST = reverse("product:feature_list")


def with_pipeline(feature: Feature, amount: str) -> Feature:
    FeatureEvidence.objects.filter(feature=feature).update(open_pipeline=Decimal(amount), accounts_count=1)
    return feature


# --- feature list -------------------------------------------------------------------------------


def test_feature_list_sorts_by_revenue_at_stake(client, product_manager):
    big = with_pipeline(FeatureFactory(title="Big"), "900000")
    small = with_pipeline(FeatureFactory(title="Small"), "1000")
    client.force_login(product_manager)

    response = client.get(LIST, {"sort": "-open_pipeline"})

    assert [f.pk for f in response.context["page"].rows] == [big.pk, small.pk]
    assert "900,000 USD" in response.content.decode()


def test_feature_list_sorts_by_title_when_asked(client, product_manager):
    FeatureFactory(title="Zebra")
    FeatureFactory(title="Alpha")
    client.force_login(product_manager)

    response = client.get(LIST, {"sort": "title"})

    assert [f.title for f in response.context["page"].rows] == ["Alpha", "Zebra"]


def test_feature_list_filters_by_product_status_and_title(client, product_manager):
    product = ProductFactory()
    wanted = FeatureFactory(product=product, title="SAML single sign-on", status=Feature.Status.PLANNED)
    FeatureFactory(product=product, title="SAML for the mobile app", status=Feature.Status.BACKLOG)
    FeatureFactory(title="SAML elsewhere", status=Feature.Status.PLANNED)
    client.force_login(product_manager)

    response = client.get(LIST, {"product": product.pk, "status": "planned", "q": "saml"})

    assert list(response.context["page"].rows) == [wanted]


def test_rep_does_not_see_internal_features_in_the_list(client, rep):
    FeatureFactory(title="Rewrite billing", visibility=Feature.Visibility.INTERNAL)
    shared = FeatureFactory(title="SSO", visibility=Feature.Visibility.SALES)
    client.force_login(rep)

    response = client.get(LIST)

    assert list(response.context["page"].rows) == [shared]
    assert "Rewrite billing" not in response.content.decode()


def test_htmx_request_gets_only_the_list_region(client, product_manager):
    FeatureFactory(title="SSO")
    client.force_login(product_manager)

    response = client.get(LIST, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert "SSO" in body
    assert "<html" not in body


def test_feature_list_runs_the_same_queries_for_1_and_10_features(client, product_manager):
    client.force_login(product_manager)
    scoring_settings_get()  # created with the defaults on first use, once per workspace
    FeatureFactory(release=None)
    one = queries_of(lambda: client.get(LIST))
    for _ in range(9):
        FeatureFactory(release=ReleaseFactory())
    ten = queries_of(lambda: client.get(LIST))
    assert_same_queries(one, ten)


# --- feature detail -----------------------------------------------------------------------------


def test_rep_sees_the_evidence_totals_but_only_the_asks_of_their_own_deals(client, rep, outsider_rep):
    feature = FeatureFactory()
    AskFactory(
        feature=feature, opportunity=OpportunityFactory(owner=rep, account=AccountFactory(owner=rep)), need="Mine"
    )
    AskFactory(
        feature=feature,
        opportunity=OpportunityFactory(owner=outsider_rep, account=AccountFactory(owner=outsider_rep)),
        need="Theirs",
    )
    FeatureEvidence.objects.filter(feature=feature).update(asks_count=2, accounts_count=2)
    client.force_login(rep)

    response = client.get(reverse("product:feature_detail", args=[feature.pk]))

    body = response.content.decode()
    assert [a.need for a in response.context["asks"]] == ["Mine"]
    assert "Theirs" not in body
    assert response.context["evidence"].accounts_count == 2
    assert "1 more ask from other deals" in body


def test_rep_gets_404_for_an_internal_feature(client, rep):
    feature = FeatureFactory(visibility=Feature.Visibility.INTERNAL)
    client.force_login(rep)
    assert client.get(reverse("product:feature_detail", args=[feature.pk])).status_code == 404


def test_feature_detail_queries_do_not_grow_with_asks(client, product_manager):
    feature = FeatureFactory()
    client.force_login(product_manager)
    url = reverse("product:feature_detail", args=[feature.pk])
    scoring_settings_get()
    AskFactory(feature=feature)
    one = queries_of(lambda: client.get(url))
    AskFactory.create_batch(9, feature=feature)
    ten = queries_of(lambda: client.get(url))
    assert_same_queries(one, ten)


# --- create, update, delete ---------------------------------------------------------------------


def form_data(feature: Feature | None = None, **changes: object) -> dict[str, object]:
    product = feature.product if feature else ProductFactory()
    data: dict[str, object] = {
        "product": product.pk,
        "title": "Audit log export",
        "description": "",
        "status": "backlog",
        "confidence": "exploring",
        "visibility": "internal",
        "version": feature.version if feature else "",
    }
    return {**data, **changes}


def test_product_manager_creates_a_feature(client, product_manager):
    client.force_login(product_manager)

    response = client.post(reverse("product:feature_create"), form_data())

    feature = Feature.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("product:feature_detail", args=[feature.pk])
    assert FeatureEvidence.objects.filter(feature=feature).exists()


def test_create_form_shows_field_errors_and_writes_nothing(client, product_manager):
    client.force_login(product_manager)

    response = client.post(reverse("product:feature_create"), form_data(title="", effort="0"))

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "effort"}
    assert not Feature.objects.exists()


def test_a_release_of_another_product_is_refused_on_its_field(client, product_manager):
    client.force_login(product_manager)

    response = client.post(reverse("product:feature_create"), form_data(release=ReleaseFactory().pk))

    assert "release" in response.context["form"].errors
    assert not Feature.objects.exists()


def test_rep_may_not_open_the_create_page(client, rep):
    client.force_login(rep)
    assert client.get(reverse("product:feature_create")).status_code == 403


def test_product_manager_updates_a_feature(client, product_manager):
    feature = FeatureFactory()
    client.force_login(product_manager)

    response = client.post(reverse("product:feature_update", args=[feature.pk]), form_data(feature, title="SCIM"))

    feature.refresh_from_db()
    assert response.status_code == 302
    assert (feature.title, feature.version) == ("SCIM", 2)


def test_the_feature_form_places_it_on_the_board_without_dragging(client, product_manager):
    feature = FeatureFactory(
        product=ProductFactory(manager=product_manager), title="SCIM provisioning", status="planned"
    )
    client.force_login(product_manager)
    form = client.get(reverse("product:feature_update", args=[feature.pk])).content.decode()
    assert "On the roadmap board" in form

    response = client.post(
        reverse("product:feature_update", args=[feature.pk]), form_data(feature, status="planned", horizon="later")
    )

    assert response.status_code == 302
    feature.refresh_from_db()
    assert feature.horizon == "later"
    board = client.get(reverse("roadmap:board")).content.decode()
    later = board.index('data-testid="column-later"')  # the last column
    assert board.index(f'data-id="{feature.pk}"') > later
    refused = client.post(reverse("product:feature_update", args=[feature.pk]), form_data(feature, horizon="soon"))
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()


def test_a_stale_edit_gets_a_clear_form_error_and_writes_nothing(client, product_manager):
    feature = FeatureFactory(title="Theirs")
    stale = form_data(feature, title="Mine")
    Feature.objects.filter(pk=feature.pk).update(version=2)
    client.force_login(product_manager)

    response = client.post(reverse("product:feature_update", args=[feature.pk]), stale)

    feature.refresh_from_db()
    assert response.status_code == 409
    assert "Someone else changed this feature" in response.content.decode()
    assert feature.title == "Theirs"


def test_engineering_lead_gets_the_effort_form_and_changes_only_effort(client, engineering_lead):
    feature = FeatureFactory(title="Before")
    client.force_login(engineering_lead)
    url = reverse("product:feature_update", args=[feature.pk])

    assert set(client.get(url).context["form"].fields) == {"effort", "version"}
    response = client.post(url, {"effort": "6", "version": 1, "title": "Ignored"})

    feature.refresh_from_db()
    assert response.status_code == 302
    assert (feature.title, feature.effort) == ("Before", Decimal("6.0"))


def test_sales_manager_may_not_edit_a_feature(client, sales_manager):
    feature = FeatureFactory()
    client.force_login(sales_manager)
    assert client.post(reverse("product:feature_update", args=[feature.pk]), form_data(feature)).status_code == 403


def test_product_manager_deletes_a_feature(client, product_manager):
    feature = FeatureFactory()
    client.force_login(product_manager)

    response = client.post(reverse("product:feature_delete", args=[feature.pk]), {"version": 1})

    assert response.status_code == 302
    assert not Feature.objects.exists()


# --- roadmap ------------------------------------------------------------------------------------


def test_roadmap_lists_planned_releases_by_date_then_recently_shipped(client, product_manager):
    product = ProductFactory()
    later = ReleaseFactory(product=product, name="Later", target_date=datetime.date(2031, 1, 1))
    sooner = ReleaseFactory(product=product, name="Sooner", target_date=datetime.date(2030, 1, 1))
    shipped = ReleaseFactory(product=product, name="Shipped", status=Release.Status.SHIPPED, shipped_at=timezone.now())
    ReleaseFactory(
        product=product,
        name="Long ago",
        status=Release.Status.SHIPPED,
        shipped_at=timezone.now() - datetime.timedelta(days=400),
    )
    client.force_login(product_manager)

    response = client.get(reverse("product:roadmap"))

    assert response.context["planned"] == [sooner, later]
    assert response.context["shipped"] == [shipped]


def test_roadmap_shows_sales_only_what_it_may_use(client, rep):
    release = ReleaseFactory()
    FeatureFactory(
        release=release, product=release.product, title="Shareable SSO", visibility="sales", confidence="committed"
    )
    # Likely: the sales roadmap gives its quarter; under a dated release it would give its day.
    FeatureFactory(release=release, product=release.product, title="Likely SCIM", visibility="sales")
    FeatureFactory(release=release, product=release.product, title="Secret rewrite", visibility="internal")
    client.force_login(rep)

    body = client.get(reverse("product:roadmap")).content.decode()

    assert "Shareable SSO" in body
    assert "Likely SCIM" not in body
    assert "Secret rewrite" not in body


def test_roadmap_says_so_when_nothing_is_planned(client, rep):
    client.force_login(rep)
    assert "No releases are planned yet" in client.get(reverse("product:roadmap")).content.decode()


def test_roadmap_runs_the_same_queries_for_1_and_10_releases(client, product_manager):
    client.force_login(product_manager)
    url = reverse("product:roadmap")

    def release_with_features() -> None:
        release = ReleaseFactory()
        FeatureFactory.create_batch(2, release=release, product=release.product)

    release_with_features()
    one = queries_of(lambda: client.get(url))
    for _ in range(9):
        release_with_features()
    ten = queries_of(lambda: client.get(url))
    assert_same_queries(one, ten)


def test_product_manager_plans_releases_of_their_own_products_only(client, product_manager):
    own = ProductFactory(manager=product_manager, name="Ledger")
    other = ProductFactory(name="Payroll")
    client.force_login(product_manager)
    url = reverse("product:release_create")

    assert list(client.get(url).context["form"].fields["product"].queryset) == [own]
    refused = client.post(url, {"product": other.pk, "name": "2027.4", "target_date": "2027-06-30"})
    planned = client.post(url, {"product": own.pk, "name": "2027.4", "target_date": "2027-06-30"}, follow=True)

    assert "product" in refused.context["form"].errors
    assert not Release.objects.filter(product=other).exists()
    release = Release.objects.get(product=own)
    assert (release.name, release.target_date) == ("2027.4", datetime.date(2027, 6, 30))
    assert "Ledger 2027.4 is planned for 30 Jun 2027." in planned.content.decode()


def test_a_release_name_taken_in_its_product_shows_on_the_name_field(client, product_manager):
    product = ProductFactory(manager=product_manager, name="Ledger")
    ReleaseFactory(product=product, name="2027.4")
    client.force_login(product_manager)

    response = client.post(
        reverse("product:release_create"), {"product": product.pk, "name": "2027.4", "target_date": "2027-06-30"}
    )

    assert response.context["form"].errors["name"] == ["Ledger already has a release named 2027.4."]
    assert Release.objects.filter(product=product).count() == 1


def test_roadmap_offers_planning_and_editing_only_to_who_manages_the_release(client, product_manager, rep):
    own = ReleaseFactory(product=ProductFactory(manager=product_manager))
    others = ReleaseFactory()
    client.force_login(product_manager)

    body = client.get(reverse("product:roadmap")).content.decode()

    assert 'data-testid="plan-release"' in body
    assert reverse("product:release_update", args=[own.pk]) in body
    assert reverse("product:release_update", args=[others.pk]) not in body
    client.force_login(rep)
    body = client.get(reverse("product:roadmap")).content.decode()
    assert 'data-testid="plan-release"' not in body
    assert "edit-release" not in body


def test_product_manager_is_told_how_to_start_an_empty_roadmap(client, product_manager):
    client.force_login(product_manager)
    assert "Plan one, then plan features for it" in client.get(reverse("product:roadmap")).content.decode()


def test_product_manager_moves_a_release_and_a_stale_edit_gets_409(client, product_manager):
    release = ReleaseFactory(product=ProductFactory(manager=product_manager), name="2027.4")
    client.force_login(product_manager)
    url = reverse("product:release_update", args=[release.pk])
    seen = client.get(url).context["form"].initial["version"]

    moved = client.post(url, {"name": "2027.5", "target_date": "2027-09-30", "version": seen})
    stale = client.post(url, {"name": "2027.4 LTS", "target_date": "2027-07-31", "version": seen})

    assert moved.status_code == 302
    assert stale.status_code == 409
    assert "Someone else changed this release" in stale.content.decode()
    release.refresh_from_db()
    assert (release.name, release.target_date) == ("2027.5", datetime.date(2027, 9, 30))


def test_a_shipped_release_is_not_edited_and_says_why(client, product_manager):
    shipped_at = timezone.now()
    release = ReleaseFactory(
        product=ProductFactory(manager=product_manager), status=Release.Status.SHIPPED, shipped_at=shipped_at
    )
    client.force_login(product_manager)

    response = client.get(reverse("product:release_update", args=[release.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("product:roadmap")
    assert f"shipped on {formats.date_short(shipped_at)}; it stays as it shipped" in response.content.decode()


def test_another_product_managers_release_may_not_be_edited(client, product_manager):
    release = ReleaseFactory()
    client.force_login(product_manager)

    response = client.get(reverse("product:release_update", args=[release.pk]))

    assert response.status_code == 403
    assert f"Only the product manager of {release.product.name}" in response.content.decode()


# --- products -----------------------------------------------------------------------------------


def test_product_list_counts_only_the_features_the_user_sees(client, rep):
    product = ProductFactory(name="Tandem Cloud")
    FeatureFactory(product=product, visibility="sales", status="planned")
    FeatureFactory(product=product, visibility="internal")
    client.force_login(rep)

    row = client.get(reverse("product:product_list")).context["page"].rows[0]

    assert (row.features_count, row.roadmap_count) == (1, 1)


def test_product_list_runs_the_same_queries_for_1_and_10_products(client, product_manager):
    client.force_login(product_manager)
    url = reverse("product:product_list")
    FeatureFactory()
    one = queries_of(lambda: client.get(url))
    FeatureFactory.create_batch(9)
    ten = queries_of(lambda: client.get(url))
    assert_same_queries(one, ten)


def test_product_detail_lists_its_visible_features(client, rep):
    product = ProductFactory()
    FeatureFactory(product=product, title="Shareable SSO", visibility="sales")
    FeatureFactory(product=product, title="Secret rewrite", visibility="internal")
    client.force_login(rep)

    body = client.get(reverse("product:product_detail", args=[product.pk])).content.decode()

    assert "Shareable SSO" in body
    assert "Secret rewrite" not in body


@pytest.mark.parametrize("name", ["product:product_detail", "product:feature_detail"])
def test_unknown_records_are_not_found(client, rep, name):
    client.force_login(rep)
    assert client.get(reverse(name, args=[999999])).status_code == 404


# --- evidence, score and the scoring weights ----------------------------------------------------


def test_feature_list_puts_the_highest_score_first_and_flags_single_deal_asks(client, product_manager):
    low = FeatureFactory(title="Low")
    high = FeatureFactory(title="High")
    FeatureEvidence.objects.filter(feature=low).update(score=Decimal("3.5"))
    FeatureEvidence.objects.filter(feature=high).update(
        score=Decimal("42.25"), open_pipeline=Decimal("1000"), largest_deal=Decimal("900")
    )
    AskFactory(feature=high)
    client.force_login(product_manager)

    response = client.get(LIST)

    rows = response.context["rows"]
    assert [row.feature.pk for row in rows] == [high.pk, low.pk]
    assert (rows[0].score, rows[0].single_deal, rows[0].recent_asks) == (Decimal("42.25"), True, 1)
    assert (rows[1].single_deal, rows[1].recent_asks) == (False, 0)
    assert "Single-deal ask" in response.content.decode()


def test_feature_list_sorts_by_rice_when_the_executive_chose_it(client, product_manager):
    a, b = FeatureFactory(title="A"), FeatureFactory(title="B")
    FeatureEvidence.objects.filter(feature=a).update(score=Decimal("9"), rice_score=Decimal("1"))
    FeatureEvidence.objects.filter(feature=b).update(score=Decimal("1"), rice_score=Decimal("9"))
    ScoringSettings.objects.update_or_create(id=1, defaults={"formula": "rice"})
    client.force_login(product_manager)

    response = client.get(LIST)

    assert [row.feature.title for row in response.context["rows"]] == ["B", "A"]
    assert "RICE" in response.content.decode()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("-accounts", ["B", "A"]), ("-open_pipeline", ["A", "B"]), ("-weighted_pipeline", ["B", "A"])],
)
def test_feature_list_sorts_by_revenue_weighted_and_accounts(client, product_manager, sort, expected):
    a, b = FeatureFactory(title="A"), FeatureFactory(title="B")
    FeatureEvidence.objects.filter(feature=a).update(open_pipeline=9, weighted_pipeline=1, accounts_count=1)
    FeatureEvidence.objects.filter(feature=b).update(open_pipeline=1, weighted_pipeline=5, accounts_count=7)
    client.force_login(product_manager)

    response = client.get(LIST, {"sort": sort})

    assert [row.feature.title for row in response.context["rows"]] == expected


def test_feature_page_shows_every_figure_the_breakdown_and_the_trend(client, product_manager):
    feature = FeatureFactory(effort=Decimal("2"))
    FeatureEvidence.objects.filter(feature=feature).update(
        accounts_count=3,
        asks_count=4,
        open_pipeline=Decimal("200000"),
        weighted_pipeline=Decimal("80000"),
        blocker_pipeline=Decimal("150000"),
        largest_deal=Decimal("170000"),
        customer_revenue=Decimal("36000"),
        lost_revenue=Decimal("12000"),
        won_after_ship=Decimal("7000"),
        score=Decimal("12.5"),
    )
    AskFactory(feature=feature, created_at=timezone.now() - datetime.timedelta(days=8))
    AskFactory(feature=feature)
    AskFactory(feature=feature, created_at=timezone.now() - datetime.timedelta(days=200))
    client.force_login(product_manager)

    response = client.get(reverse("product:feature_detail", args=[feature.pk]))

    body = response.content.decode()
    for figure in ("200K USD", "80K USD", "150K USD", "36K USD", "12K USD", "7K USD"):
        assert figure in body
    assert "85% of the open pipeline" in body
    assert 'data-testid="single-deal-flag"' in body
    for label in ("Revenue at stake", "Reach", "Strategic fit", "Urgency", "RICE"):
        assert label in body
    assert response.context["trend"]["asks"][-2:] == [1, 1]
    assert response.context["trend_total"] == 2
    assert "vendor/echarts/echarts.min.js" in body


def test_everyone_may_read_the_scoring_weights_but_only_executives_edit(client, rep, executive):
    client.force_login(rep)
    response = client.get(reverse("product:scoring_settings"))
    assert response.status_code == 200
    assert response.context["form"].fields["weight_revenue"].disabled
    assert "Save weights" not in response.content.decode()

    client.force_login(executive)
    response = client.get(reverse("product:scoring_settings"))
    assert not response.context["form"].fields["weight_revenue"].disabled
    assert "Save weights" in response.content.decode()


def scoring_data(**changes: str) -> dict[str, str]:
    data = {
        "formula": "default",
        "weight_revenue": "0.4",
        "weight_reach": "0.2",
        "weight_fit": "0.25",
        "weight_urgency": "0.15",
        "default_effort": "4",
        "single_deal_share": "0.5",
    }
    return {**data, **changes}


def test_executive_saves_weights_and_sees_the_rescore_finished(client, executive, django_capture_on_commit_callbacks):
    client.force_login(executive)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("product:scoring_settings"), scoring_data(weight_reach="1"))

    assert response.status_code == 302
    assert scoring_settings_get().weight_reach == Decimal("1")
    page = client.get(reverse("product:scoring_settings")).content.decode()
    assert "Every feature rescored at" in page


def test_a_pending_rescore_shows_as_running(client, executive):
    client.force_login(executive)
    client.post(reverse("product:scoring_settings"), scoring_data(weight_fit="1"))  # not committed: queued only

    for page in ("product:scoring_settings", "product:feature_list"):
        body = client.get(reverse(page)).content.decode()
        assert "rescoring every feature after the change of" in body
        assert 'hx-trigger="every 3s"' in body  # it asks again until the rescore is done


def test_the_lagging_scores_say_when_they_are_current_and_the_list_reloads(client, executive):
    client.force_login(executive)
    ScoringSettings.objects.update_or_create(id=1, defaults={"recompute_requested_at": timezone.now()})
    status = reverse("product:scoring_settings") + "?status=running"
    htmx = {"HX-Request": "true"}

    running = client.get(status, headers=htmx)
    assert "HX-Trigger" not in running
    ScoringSettings.objects.filter(id=1).update(recomputed_at=timezone.now())
    done = client.get(status, headers=htmx)

    assert done["HX-Trigger"] == "scores-changed"
    assert "Every feature rescored at" in done.content.decode()
    assert "every 3s" not in done.content.decode()  # it stops asking


def test_a_rescore_whose_task_was_lost_is_queued_again(client, executive):
    ScoringSettings.objects.update_or_create(
        id=1, defaults={"recompute_requested_at": timezone.now() - datetime.timedelta(minutes=6)}
    )
    client.force_login(executive)

    client.get(reverse("product:scoring_settings") + "?status=running", headers={"HX-Request": "true"})

    scoring = scoring_settings_get()  # the tests' task backend runs what is queued at once
    assert scoring.recomputed_at is not None
    assert not scoring.recompute_running


def test_bad_weights_show_on_their_fields(client, executive):
    client.force_login(executive)

    response = client.post(reverse("product:scoring_settings"), scoring_data(default_effort="0", weight_fit="-1"))

    form = response.context["form"]
    assert response.status_code == 200
    assert set(form.errors) >= {"default_effort", "weight_fit"}
    assert scoring_settings_get().weight_fit == Decimal("0.25")


# --- strategic goals ----------------------------------------------------------------------------


def test_everyone_reads_the_goals_but_only_executives_are_offered_to_change_them(client, product_manager, executive):
    goal = GoalFactory(name="Win regulated industries", weight=4)
    GoalFactory(name="Old bet", weight=9, is_active=False)
    client.force_login(product_manager)
    response = client.get(reverse("product:scoring_settings"))

    assert [g.name for g in response.context["goals"]] == ["Win regulated industries", "Old bet"]
    assert reverse("product:goal_update", args=[goal.pk]) not in response.content.decode()
    client.force_login(executive)
    body = client.get(reverse("product:scoring_settings")).content.decode()
    assert reverse("product:goal_update", args=[goal.pk]) in body
    assert reverse("product:goal_create") in body


def test_executive_sets_a_goal_and_a_bad_weight_shows_on_its_field(client, executive):
    client.force_login(executive)
    url = reverse("product:goal_create")

    bad = client.post(url, {"name": "Grow in EMEA", "weight": "-1", "is_active": "on"})
    good = client.post(url, {"name": "Grow in EMEA", "weight": "2.5", "is_active": "on"})

    assert "weight" in bad.context["form"].errors
    assert good.status_code == 302
    assert Goal.objects.get().weight == Decimal("2.5")


def test_a_stale_goal_edit_gets_409_and_writes_nothing(client, executive):
    goal = GoalFactory(name="Win security reviews", weight=3)
    client.force_login(executive)
    url = reverse("product:goal_update", args=[goal.pk])
    seen = client.get(url).context["form"].initial["version"]

    first = client.post(url, {"name": "Win security reviews", "weight": "5", "is_active": "on", "version": seen})
    stale = client.post(url, {"name": "Pass security reviews", "weight": "1", "is_active": "on", "version": seen})

    assert first.status_code == 302
    assert stale.status_code == 409
    assert "Someone else changed this goal" in stale.content.decode()
    goal.refresh_from_db()
    assert (goal.name, goal.weight) == ("Win security reviews", Decimal("5"))
