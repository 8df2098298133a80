"""What every page reads besides its own rows: the workspace once, a filter's small table once, the
record a filter names once (docs/benchmarks.md: each query is CPU in the database and in Python)."""

import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.product.tests.factories import FeatureFactory, ProductFactory
from tandem.sales.tests.factories import AccountFactory, OpportunityFactory, StageFactory

FROM = re.compile(r'\bFROM "(\w+)"')


def tables_read(client, url: str, params: dict[str, object]) -> tuple[Counter[str], int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    assert b"Select a valid choice" not in response.content
    tables = Counter(match.group(1) for query in queries.captured_queries if (match := FROM.search(query["sql"])))
    return tables, len(queries.captured_queries)


def test_a_deal_list_filtered_by_owner_and_stage_reads_each_once(client, sales_manager, rep):
    stage = StageFactory.create(name="Discovery", order=1)
    OpportunityFactory.create_batch(3, account=AccountFactory.create(owner=rep), owner=rep, stage=stage)
    client.force_login(sales_manager)

    tables, count = tables_read(client, reverse("sales:opportunity_list"), {"owner": rep.pk, "stage": stage.pk})

    assert tables["sales_stage"] == 1  # checked and drawn as options from one read
    # the signed-in manager, their team's ids, and the owner the filter names (drawn as it was checked)
    assert tables["people_user"] == 3
    assert tables["core_workspace"] == 1
    # session, user, team, stages, owner, deals, workspace, which shown deals the reader may edit in
    # the row, the navbar's two counts (one query), the reader's saved views
    assert count == 10


def test_a_feature_list_filtered_by_product_reads_the_products_once(client, product_manager):
    product = ProductFactory.create(manager=product_manager)
    FeatureFactory.create_batch(3, product=product)
    client.force_login(product_manager)

    tables, _ = tables_read(client, reverse("product:feature_list"), {"product": product.pk})

    assert tables["product_product"] == 1
    assert tables["core_workspace"] <= 1


@pytest.mark.parametrize("path", ["/notifications/", "/pipeline/accounts/"])
def test_a_page_reads_the_workspace_at_most_once(client, sales_manager, path):
    client.force_login(sales_manager)
    tables, _ = tables_read(client, path, {})
    assert tables["core_workspace"] <= 1
