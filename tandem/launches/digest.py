"""The product digest for sales: what shipped in the period and which of the reader's deals and
accounts it concerns, what is coming with its confidence, and what to say and not say.

Only sales-shareable and public features appear (an internal one never does, even one the reader's
customers asked for), and a date finer than the fiscal quarter only for what is committed: the same
audience rule as the sales roadmap. Each reader gets each period's digest once (`DigestDelivery`).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tandem.asks.models import Ask
from tandem.commitments.models import Commitment
from tandem.core import formats
from tandem.core.fiscal import fiscal_quarter_of
from tandem.core.money import workspace_get
from tandem.core.roles import SALES_ROLES
from tandem.launches.models import DigestDelivery, DigestSettings
from tandem.launches.selectors import digest_settings_get
from tandem.notifications.models import Notification
from tandem.notifications.services import Notice, notices_send
from tandem.people.models import User
from tandem.product.models import Feature, Release
from tandem.product.selectors import SHAREABLE, date_shared_with_sales
from tandem.roadmap.selectors import Audience, talking_points_for
from tandem.sales.selectors import account_visible, opportunity_visible

COMING_MAX = 50
PER_ITEM_MAX = 20  # deals and accounts listed under one shipped feature; the deal list has the rest


@dataclass
class Item:
    feature_id: int
    title: str
    product: str
    release: str
    when: str  # a date when committed, else the fiscal quarter
    confidence: str
    say: str
    dont_say: str
    deals: list[tuple[int, str]] = field(default_factory=list)
    accounts: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Digest:
    key: str
    title: str
    since: datetime.datetime | None
    shipped: list[Item]
    coming: list[Item]

    @property
    def empty(self) -> bool:
        return not self.shipped and not self.coming


def _period(
    settings: DigestSettings, now: datetime.datetime
) -> tuple[str, str, list[Release], datetime.datetime | None]:
    """The period's key, title, the releases it shipped and since when."""
    if settings.period == DigestSettings.Period.PER_RELEASE:
        latest = (
            Release.objects.filter(status=Release.Status.SHIPPED)
            .select_related("product")
            .order_by("-shipped_at", "-pk")
            .first()
        )
        if latest is None:
            return "release-none", "Product digest", [], None
        return f"release-{latest.pk}", f"Product digest: {latest} shipped", [latest], latest.shipped_at
    local = timezone.localtime(now).date()
    year, week, _ = local.isocalendar()
    since = now - datetime.timedelta(days=7)
    shipped = list(
        Release.objects.filter(status=Release.Status.SHIPPED, shipped_at__gt=since, shipped_at__lte=now).select_related(
            "product"
        )
    )
    return (
        f"{year}-W{week:02d}",
        f"Product digest: week of {formats.date_short(local - datetime.timedelta(days=local.weekday()))}",
        shipped,
        since,
    )


def _when(feature: Feature, release: Release, start_month: int) -> str:
    if date_shared_with_sales(confidence=feature.confidence, visibility=feature.visibility):
        return formats.date_short(release.target_date)
    return str(fiscal_quarter_of(release.target_date, start_month))


def _item(feature: Feature, start_month: int) -> Item:
    release = feature.release
    assert release is not None
    say, dont_say = talking_points_for(feature, audience=Audience.SALES)
    return Item(
        feature_id=feature.pk,
        title=feature.title,
        product=feature.product.name,
        release=release.name,
        when=_when(feature, release, start_month) if release.status == Release.Status.PLANNED else "",
        confidence=feature.get_confidence_display(),
        say=say,
        dont_say=dont_say,
    )


def digest_period_key(*, now: datetime.datetime | None = None) -> str:
    return _period(digest_settings_get(), now or timezone.now())[0]


def digest_for(*, reader: User, now: datetime.datetime | None = None) -> Digest:
    """The digest this reader gets for the current period."""
    now = now or timezone.now()
    start_month = workspace_get().fiscal_year_start_month
    key, title, releases, since = _period(digest_settings_get(), now)
    shared = Feature.objects.filter(visibility__in=SHAREABLE).select_related("product", "release")
    shipped = [
        _item(f, start_month)
        for f in shared.filter(release__in=releases, status=Feature.Status.SHIPPED).order_by("product__name", "title")
    ]
    if shipped and reader.role in SALES_ROLES:  # others have no deals of their own to re-engage
        ids = {item.feature_id: item for item in shipped}
        visible_deals = opportunity_visible(user=reader)
        # Deals concerned: the reader's deals promised the feature (a commitment now delivered), then
        # their open deals that asked for it; accounts: theirs that asked.
        promised = Commitment.objects.filter(feature_id__in=list(ids), opportunity__in=visible_deals).values_list(
            "feature_id", "opportunity_id", "opportunity__name", "account_id", "account__name"
        )
        asked = (
            Ask.objects.filter(feature_id__in=list(ids), account__in=account_visible(user=reader))
            .values_list("feature_id", "opportunity_id", "opportunity__name", "account_id", "account__name")
            .distinct()
        )
        open_deals = set(
            visible_deals.filter(closed_at__isnull=True, asks__feature_id__in=list(ids)).values_list("pk", flat=True)
        )
        seen: dict[int, set[tuple[str, int]]] = defaultdict(set)
        rows = [(row, True) for row in promised] + [(row, False) for row in asked]
        for (feature_id, deal_id, deal_name, account_id, account_name), was_promised in rows:
            item = ids[feature_id]
            if len(seen[feature_id]) >= PER_ITEM_MAX:
                continue
            if (was_promised or deal_id in open_deals) and ("deal", deal_id) not in seen[feature_id]:
                seen[feature_id].add(("deal", deal_id))
                item.deals.append((deal_id, deal_name))
            if not was_promised and ("account", account_id) not in seen[feature_id]:
                seen[feature_id].add(("account", account_id))
                item.accounts.append((account_id, account_name))
    coming = [
        _item(f, start_month)
        for f in shared.filter(release__status=Release.Status.PLANNED)
        .exclude(status__in=[Feature.Status.SHIPPED, Feature.Status.DECLINED])
        .order_by("release__target_date", "product__name", "title", "pk")[:COMING_MAX]
    ]
    return Digest(key=key, title=title, since=since, shipped=shipped, coming=coming)


def digests_send(*, now: datetime.datetime | None = None) -> int:
    """Send the current period's digest to every active rep and sales manager who has not had it,
    in the app and by email (through the notifications' task). Each reader once per period: a
    delivery row is written with the notice, and the unique key refuses a second one even when two
    runs race. Returns how many readers were sent it."""
    now = now or timezone.now()
    sent = 0
    readers = User.objects.filter(role__in=list(SALES_ROLES), is_active=True).order_by("pk")
    for reader in readers:
        digest = digest_for(reader=reader, now=now)
        if digest.empty or digest.key == "release-none":
            continue
        if DigestDelivery.objects.filter(reader=reader, period_key=digest.key).exists():
            continue
        try:
            with transaction.atomic():
                DigestDelivery.objects.create(reader=reader, period_key=digest.key, sent_at=now)
                body = render_to_string("launches/digest_email.txt", {"digest": digest})
                notices_send(
                    notices=[
                        Notice(
                            recipient=reader,
                            kind=Notification.Kind.DIGEST,
                            title=digest.title,
                            body=body[:10000],
                            url=reverse("launches:digest"),
                        )
                    ]
                )
        except IntegrityError:  # another run sent it first
            continue
        sent += 1
    return sent
