from decimal import Decimal

from django.urls import reverse
from django.utils.html import escape

from tandem.asks import selectors
from tandem.asks.models import Ask
from tandem.asks.tests.factories import AskFactory, FeatureEvidenceFactory
from tandem.core.roles import Role
from tandem.decisions.services import decision_record, escalation_create
from tandem.people.tests.factories import UserFactory
from tandem.product.tests.factories import FeatureFactory, ProductFactory
from tandem.product.tests.queries import assert_same_queries, queries_of
from tandem.sales.services import opportunity_update
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory

LIST = reverse("asks:ask_list")


def ask_of(owner, **fields) -> Ask:
    return AskFactory(opportunity=OpportunityFactory(owner=owner, account=AccountFactory(owner=owner)), **fields)


def test_rep_sees_only_asks_of_their_own_deals_newest_first(client, rep, outsider_rep):
    older = ask_of(rep, need="Older")
    newer = ask_of(rep, need="Newer")
    ask_of(outsider_rep, need="Someone else's")
    client.force_login(rep)

    response = client.get(LIST)

    assert list(response.context["page"].rows) == [newer, older]
    assert "Someone else" not in response.content.decode()


def test_ask_list_filters_by_importance_product_and_need(client, product_manager):
    feature = FeatureFactory()
    wanted = AskFactory(feature=feature, importance="blocker", need="Okta SSO", status="linked")
    AskFactory(feature=feature, importance="important", need="Okta SSO", status="linked")
    AskFactory(importance="blocker", need="Okta SSO")
    client.force_login(product_manager)

    response = client.get(LIST, {"importance": "blocker", "product": feature.product_id, "q": "okta"})

    assert list(response.context["page"].rows) == [wanted]


def test_rep_follows_their_ask_to_the_sales_view_of_its_internal_feature(client, rep, outsider_rep):
    feature = FeatureFactory(title="Storage rewrite", visibility="internal", sales_say="We hear it.")
    ask = ask_of(rep, feature=feature, status="linked")
    ask_of(outsider_rep, feature=feature, status="linked", need="Another team's customer")
    FeatureEvidenceFactory(feature=feature, open_pipeline=Decimal("987654"))
    client.force_login(rep)

    list_body = client.get(LIST).content.decode()
    detail_body = client.get(reverse("asks:ask_detail", args=[ask.pk])).content.decode()
    feature_page = client.get(reverse("product:feature_detail", args=[feature.pk])).content.decode()

    assert "Storage rewrite" in list_body
    assert "Storage rewrite" in detail_body
    assert 'data-testid="feature-sales-view"' in feature_page
    # An internal feature's talking points are product's until it is shared with sales.
    for internal in ("987,654", "Another team's customer", 'data-testid="score"', "We hear it."):
        assert internal not in feature_page


def test_rep_gets_404_for_another_teams_ask(client, rep, outsider_rep):
    ask = ask_of(outsider_rep)
    client.force_login(rep)
    assert client.get(reverse("asks:ask_detail", args=[ask.pk])).status_code == 404


def test_sales_manager_opens_an_ask_of_their_team(client, sales_manager, rep):
    ask = ask_of(rep, need="Okta SSO for everyone")
    client.force_login(sales_manager)
    assert "Okta SSO for everyone" in client.get(reverse("asks:ask_detail", args=[ask.pk])).content.decode()


def test_htmx_request_gets_only_the_list_region(client, product_manager):
    AskFactory(need="Okta SSO")
    client.force_login(product_manager)
    body = client.get(LIST, headers={"HX-Request": "true"}).content.decode()
    assert "Okta SSO" in body
    assert "<html" not in body


def test_ask_list_runs_the_same_queries_for_1_and_10_asks(client, rep, product_manager):
    def decided_ask():
        ask = ask_of(rep, feature=FeatureFactory(), status="linked")
        decision_record(actor=UserFactory(role=Role.EXECUTIVE), ask=ask, outcome="declined", rationale="No.")

    client.force_login(rep)
    decided_ask()
    one = queries_of(lambda: client.get(LIST))
    for _ in range(9):
        decided_ask()
    ten = queries_of(lambda: client.get(LIST))
    assert_same_queries(one, ten)


def test_a_manager_finds_the_declined_or_deferred_asks_of_their_team_not_yet_escalated(
    client, sales_manager, rep, other_rep, outsider_rep, executive
):
    def decided(owner, outcome, need):
        ask = ask_of(owner, feature=FeatureFactory(), status="linked", need=need)
        decision_record(actor=executive, ask=ask, outcome=outcome, rationale="Not now.")
        return ask

    decided(rep, "declined", "Declined for Rita")
    decided(other_rep, "later", "Deferred for Rob")
    escalated = decided(rep, "declined", "Already escalated")
    escalation_create(actor=sales_manager, ask=escalated, reason="Acme depends on it.")
    decided(outsider_rep, "declined", "Another team's")
    ask_of(rep, need="Still new")
    client.force_login(sales_manager)

    response = client.get(LIST, {"status": "declined_or_later", "escalation": "none"})

    assert sorted(a.need for a in response.context["page"].rows) == ["Declined for Rita", "Deferred for Rob"]
    body = response.content.decode()
    assert 'data-status="declined"' in body
    assert 'data-status="later"' in body


def test_the_list_totals_count_and_value_every_filtered_ask_not_just_the_page(client, product_manager):
    for amount in ("1000.00", "2500.50"):
        AskFactory(opportunity=OpportunityFactory(amount=Decimal(amount)), importance="blocker")
    AskFactory(opportunity=OpportunityFactory(amount=Decimal("99999")), importance="nice_to_have")
    client.force_login(product_manager)

    page = client.get(LIST, {"importance": "blocker"}).content.decode()
    totals = client.get(LIST, {"importance": "blocker", "totals": "1"}, headers={"HX-Request": "true"})

    assert "importance=blocker&amp;totals=1" in page  # the page asks for its own totals, with its filters
    text = totals.content.decode()
    assert "2</span> asks" in text
    assert "3,501 USD</span> of value" in text


# --- logging an ask from a deal or an account page ----------------------------------------------

HTMX = {"HX-Request": "true"}


def log_url(**place) -> str:
    return reverse("asks:ask_create") + "?" + "&".join(f"{k}={v}" for k, v in place.items())


def test_deal_page_shows_the_ask_form_to_whoever_may_log(client, rep, engineering_lead):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep))
    client.force_login(rep)

    body = client.get(reverse("sales:opportunity_detail", args=[deal.pk])).content.decode()

    assert 'data-testid="ask-form"' in body
    assert f'hx-post="{log_url(opportunity=deal.pk)}"' in body


def test_executive_reads_the_asks_of_a_deal_without_the_form(client, executive, rep):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep))
    AskFactory(opportunity=deal, need="Audit log export")
    client.force_login(executive)

    body = client.get(reverse("sales:opportunity_detail", args=[deal.pk])).content.decode()

    assert "Audit log export" in body
    assert 'data-testid="ask-form"' not in body


def test_rep_logs_an_ask_on_their_deal_and_gets_the_refreshed_list_and_an_empty_form(client, rep):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep))
    client.force_login(rep)

    response = client.post(
        log_url(opportunity=deal.pk),
        {
            "need": "Okta SSO for every employee",
            "why": "Security review",
            "importance": "blocker",
            "source": "demo",
            "opportunity": deal.pk,
        },
        headers=HTMX,
    )

    body = response.content.decode()
    ask = Ask.objects.get()
    assert (ask.opportunity, ask.account, ask.requested_by, ask.importance, ask.source, ask.status) == (
        deal,
        deal.account,
        rep,
        "blocker",
        "demo",
        "new",
    )
    assert "<html" not in body
    assert 'data-testid="ask-logged"' in body
    assert "Okta SSO for every employee" in body  # listed
    assert response.context["ask_section"].form.is_bound is False  # the form is reset


def test_an_ask_without_a_need_comes_back_with_the_error_beside_the_field(client, rep):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep))
    client.force_login(rep)

    response = client.post(
        log_url(opportunity=deal.pk),
        {
            "need": "",
            "why": "Keeps what was typed",
            "importance": "important",
            "source": "call",
            "opportunity": deal.pk,
        },
        headers=HTMX,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert not Ask.objects.exists()
    assert "is-invalid" in body
    assert "Say what the customer needs." in body
    assert "Keeps what was typed" in body


def test_rep_cannot_log_an_ask_on_another_reps_deal(client, rep, outsider_rep):
    deal = OpportunityFactory(owner=outsider_rep, account=AccountFactory(owner=outsider_rep))
    client.force_login(rep)

    response = client.post(
        log_url(opportunity=deal.pk),
        {"need": "Okta SSO", "importance": "important", "source": "call", "opportunity": deal.pk},
        headers=HTMX,
    )

    assert response.status_code == 404
    assert not Ask.objects.exists()


def test_on_the_account_page_the_rep_picks_one_of_the_open_deals_or_none(client, rep):
    account = AccountFactory(owner=rep)
    deal = OpportunityFactory(owner=rep, account=account)
    client.force_login(rep)

    page = client.get(reverse("sales:account_detail", args=[account.pk]))
    client.post(
        log_url(account=account.pk),
        {"need": "Without a deal", "importance": "nice_to_have", "source": "support", "opportunity": ""},
        headers=HTMX,
    )
    client.post(
        log_url(account=account.pk),
        {"need": "On the deal", "importance": "important", "source": "email", "opportunity": deal.pk},
        headers=HTMX,
    )

    assert list(page.context["ask_section"].form.fields["opportunity"].queryset) == [deal]
    assert dict(Ask.objects.values_list("need", "opportunity")) == {"Without a deal": None, "On the deal": deal.pk}


def test_a_rep_attaches_a_feature_found_by_search_and_it_waits_for_triage(client, rep):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep))
    feature = FeatureFactory(title="SAML single sign-on", visibility="sales")
    FeatureFactory(title="Secret single sign-on rewrite", visibility="internal")
    client.force_login(rep)

    results = client.get(reverse("asks:feature_search"), {"q": "single sign-on"}, headers=HTMX).content.decode()
    client.post(
        log_url(opportunity=deal.pk),
        {"need": "SSO", "importance": "important", "source": "call", "opportunity": deal.pk, "feature": feature.pk},
        headers=HTMX,
    )

    assert f'name="feature" id="ask-feature-{feature.pk}" value="{feature.pk}"' in results
    assert "Secret" not in results
    assert Ask.objects.get().feature == feature
    assert Ask.objects.get().status == Ask.Status.NEW


def test_feature_search_waits_for_three_letters(client, rep):
    FeatureFactory(title="Okta single sign-on", visibility="sales")
    client.force_login(rep)

    assert client.get(reverse("asks:feature_search"), {"q": "ok"}).context["results"] == []
    assert len(client.get(reverse("asks:feature_search"), {"q": "okta"}).context["results"]) == 1


def test_without_htmx_a_logged_ask_returns_to_the_deal_page(client, rep):
    deal = OpportunityFactory(owner=rep, account=AccountFactory(owner=rep))
    client.force_login(rep)

    response = client.post(
        log_url(opportunity=deal.pk),
        {"need": "Okta SSO", "importance": "important", "source": "call", "opportunity": deal.pk},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("sales:opportunity_detail", args=[deal.pk])


# --- the triage inbox ---------------------------------------------------------------------------

INBOX = reverse("asks:inbox")


def test_product_manager_sees_the_inbox_and_reps_get_403(client, product_manager, rep):
    AskFactory(need="Okta SSO")
    client.force_login(product_manager)
    assert "Okta SSO" in client.get(INBOX).content.decode()
    client.force_login(rep)
    assert client.get(INBOX).status_code == 403


def test_inbox_lists_only_new_asks_newest_first_with_their_count(client, product_manager):
    older = AskFactory(need="Older")
    newer = AskFactory(need="Newer")
    AskFactory(need="Linked", feature=FeatureFactory(), status="linked")
    client.force_login(product_manager)

    response = client.get(INBOX)

    assert response.context["page"].rows == [newer, older]
    assert response.context["new_count"].label == "2"


def test_a_long_inbox_counts_up_to_a_cap(client, product_manager, monkeypatch):
    monkeypatch.setattr(selectors, "INBOX_COUNT_CAP", 2)
    AskFactory.create_batch(3)
    client.force_login(product_manager)

    body = client.get(INBOX).content.decode()

    assert 'data-testid="inbox-count">2+</span>' in body


def test_inbox_puts_the_most_valuable_first_deal_amount_or_account_revenue(client, product_manager):
    small = AskFactory(opportunity=OpportunityFactory(amount=Decimal("1000.00")))
    big = AskFactory(opportunity=OpportunityFactory(amount=Decimal("900000.00")))
    account = AccountFactory(annual_revenue=Decimal("50000.00"))
    no_deal = AskFactory(opportunity=None, account=account, requested_by=account.owner)
    client.force_login(product_manager)

    response = client.get(INBOX, {"sort": "-value"})

    assert response.context["page"].rows == [big, no_deal, small]


def test_inbox_by_value_follows_a_deals_new_amount(client, product_manager, rep):
    overtaken = AskFactory(opportunity=OpportunityFactory(owner=rep, amount=Decimal("50000.00")))
    deal = OpportunityFactory(owner=rep, amount=Decimal("1000.00"))
    grown = AskFactory(opportunity=deal)
    opportunity_update(actor=rep, opportunity=deal, expected_version=deal.version, data={"amount": Decimal("90000")})
    client.force_login(product_manager)

    response = client.get(INBOX, {"sort": "-value"})

    assert response.context["page"].rows == [grown, overtaken]
    assert "90K USD" in response.content.decode()


def test_after_triage_by_value_the_next_most_valuable_ask_is_shown(client, product_manager):
    feature = FeatureFactory()
    least = AskFactory(opportunity=OpportunityFactory(amount=Decimal("1000.00")))
    tied_older = AskFactory(opportunity=OpportunityFactory(amount=Decimal("50000.00")))
    tied_newer = AskFactory(opportunity=OpportunityFactory(amount=Decimal("50000.00")))
    most = AskFactory(opportunity=OpportunityFactory(amount=Decimal("90000.00")))
    client.force_login(product_manager)

    def link(ask: Ask) -> Ask:
        response = client.post(
            reverse("asks:ask_link", args=[ask.pk]),
            {"feature": feature.pk, "expected_status": "new", "inbox": "sort=-value"},
            headers=HTMX,
        )
        return response.context["ask"]

    assert link(most) == tied_newer
    assert link(tied_newer) == tied_older
    assert link(tied_older) == least


def test_inbox_filters_by_importance_segment_rep_and_product(client, product_manager, rep, other_rep):
    feature = FeatureFactory()
    enterprise = AccountFactory(owner=rep, segment="enterprise")
    wanted = AskFactory(
        opportunity=OpportunityFactory(owner=rep, account=enterprise), importance="blocker", feature=feature
    )
    AskFactory(opportunity=OpportunityFactory(owner=rep, account=enterprise), importance="blocker")  # no product
    AskFactory(
        opportunity=OpportunityFactory(owner=rep, account=AccountFactory(segment="smb")),
        importance="blocker",
        feature=feature,
    )
    AskFactory(
        opportunity=OpportunityFactory(owner=other_rep, account=enterprise), importance="blocker", feature=feature
    )
    AskFactory(opportunity=OpportunityFactory(owner=rep, account=enterprise), importance="important", feature=feature)
    client.force_login(product_manager)

    response = client.get(
        INBOX, {"importance": "blocker", "segment": "enterprise", "rep": rep.pk, "product": feature.product_id}
    )

    assert response.context["page"].rows == [wanted]


def test_the_rep_filter_lists_only_the_chosen_rep_and_searches_the_others_as_one_types(
    client, engineering_lead, rep, other_rep
):
    """Thousands of reps would make every list page heavy: the filter is searched, not listed."""
    client.force_login(engineering_lead)

    page = client.get(LIST, {"rep": rep.pk}).content.decode()
    found = client.get(reverse("sales:owner_options"), {"q": other_rep.last_name}).json()

    assert f'value="{rep.pk}" selected' in page
    assert f'value="{other_rep.pk}"' not in page
    assert {"value": other_rep.pk, "text": str(other_rep)} in found["options"]


def test_inbox_runs_the_same_queries_for_1_and_10_asks(client, product_manager):
    client.force_login(product_manager)
    AskFactory(feature=FeatureFactory())
    client.get(INBOX)  # the first page view creates the workspace row
    one = queries_of(lambda: client.get(INBOX, {"sort": "-value"}))
    for _ in range(9):
        account = AccountFactory()
        AskFactory(feature=FeatureFactory(), opportunity=None, account=account, requested_by=account.owner)
    ten = queries_of(lambda: client.get(INBOX, {"sort": "-value"}))
    assert_same_queries(one, ten)


def test_picking_an_ask_in_the_inbox_shows_its_suggestions_and_actions(client, product_manager):
    feature = FeatureFactory(title="Okta single sign-on")
    ask = AskFactory(need="Single sign-on with Okta")
    client.force_login(product_manager)

    response = client.get(reverse("asks:ask_detail", args=[ask.pk]), {"inbox": ""}, headers=HTMX)

    body = response.content.decode()
    assert "<html" not in body
    assert [s.feature for s in response.context["suggestions"]][:1] == [feature]
    assert "Okta single sign-on" in body
    reason = response.context["suggestions"][0].reason
    assert reason
    assert escape(reason) in body
    assert f'hx-post="{reverse("asks:ask_link", args=[ask.pk])}"' in body
    assert response.context["feature_form"].initial["title"] == "Single sign-on with Okta"


def test_the_feature_proposed_from_an_ask_is_titled_without_the_channels_label(client, product_manager):
    FeatureFactory(title="Okta single sign-on")
    client.force_login(product_manager)
    for need, title in [
        ("Feature request: Single sign-on with Okta", "Single sign-on with Okta"),
        ("Fwd: [Slack #sales] customer wants their staff on Okta", "Customer wants their staff on Okta"),
        # A label in the features' words names the need: the title keeps it.
        ("SSO: their staff log in with Okta", "SSO: their staff log in with Okta"),
    ]:
        ask = AskFactory(need=need)

        response = client.get(reverse("asks:ask_detail", args=[ask.pk]), {"inbox": ""}, headers=HTMX)

        form = response.context["feature_form"]
        assert form["title"].value() == title, need
        assert f'value="{title}"' in response.content.decode()


def test_after_linking_in_the_inbox_the_next_ask_is_shown(client, product_manager):
    feature = FeatureFactory()
    third = AskFactory(need="Third")
    second = AskFactory(need="Second")
    first = AskFactory(need="First")
    client.force_login(product_manager)

    response = client.post(
        reverse("asks:ask_link", args=[first.pk]),
        {"feature": feature.pk, "expected_status": "new", "inbox": "sort=-created"},
        headers=HTMX,
    )

    body = response.content.decode()
    first.refresh_from_db()
    assert (first.feature, first.status) == (feature, Ask.Status.LINKED)
    assert response.context["ask"] == second
    assert f'<tr id="inbox-ask-{first.pk}" hx-swap-oob="delete">' in body
    assert response.context["new_count"].shown == 2
    assert third.status == Ask.Status.NEW


def test_merging_in_the_inbox_moves_to_the_next_ask(client, product_manager):
    original = AskFactory(need="Okta SSO", feature=FeatureFactory(), status="linked")
    later = AskFactory(need="Later one")
    duplicate = AskFactory(need="SSO via Okta")
    client.force_login(product_manager)

    response = client.post(
        reverse("asks:ask_merge", args=[duplicate.pk]),
        {"original": original.pk, "expected_status": "new", "inbox": ""},
        headers=HTMX,
    )

    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.duplicate_of, duplicate.feature) == ("merged", original, original.feature)
    assert response.context["ask"] == later


def test_creating_a_feature_from_an_ask_links_it(client, product_manager):
    product = ProductFactory()
    ask = AskFactory(need="SCIM provisioning")
    client.force_login(product_manager)

    response = client.post(
        reverse("asks:ask_feature_create", args=[ask.pk]),
        {"product": product.pk, "title": "SCIM provisioning", "expected_status": "new"},
    )

    ask.refresh_from_db()
    assert response.status_code == 302
    assert (ask.feature.title, ask.feature.product, ask.status) == ("SCIM provisioning", product, "linked")


def test_a_feature_without_a_product_shows_the_error_in_the_panel(client, product_manager):
    ask = AskFactory()
    client.force_login(product_manager)

    response = client.post(
        reverse("asks:ask_feature_create", args=[ask.pk]),
        {"product": "", "title": "SCIM", "expected_status": "new", "inbox": ""},
        headers=HTMX,
    )

    assert "This field is required." in response.content.decode()
    assert response.context["ask"] == ask
    ask.refresh_from_db()
    assert ask.status == Ask.Status.NEW


def test_the_second_pm_is_told_the_ask_was_already_triaged(client, product_manager, admin_user):
    ask = AskFactory()
    chosen = FeatureFactory(title="Okta SSO")
    client.force_login(product_manager)
    client.post(reverse("asks:ask_link", args=[ask.pk]), {"feature": chosen.pk, "expected_status": "new"})
    client.force_login(admin_user)

    response = client.post(
        reverse("asks:ask_link", args=[ask.pk]),
        {"feature": FeatureFactory().pk, "expected_status": "new", "inbox": ""},
        headers=HTMX,
    )

    body = response.content.decode()
    assert "already triaged" in body
    assert "Okta SSO" in body
    ask.refresh_from_db()
    assert ask.feature == chosen


def test_ask_page_shows_duplicates_and_for_triagers_the_triage(client, product_manager, rep):
    original = ask_of(rep, need="Okta SSO")
    AskFactory(need="SSO through Okta please", status="merged", duplicate_of=original)
    client.force_login(product_manager)
    pm_body = client.get(reverse("asks:ask_detail", args=[original.pk])).content.decode()
    client.force_login(rep)
    rep_body = client.get(reverse("asks:ask_detail", args=[original.pk])).content.decode()

    assert "SSO through Okta please" in pm_body
    assert 'data-testid="triage"' in pm_body
    assert 'data-testid="triage"' not in rep_body
