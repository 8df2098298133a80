"""Checking the kinds of record beyond the pipeline: leads, users, products, features, customer asks
and quotas.

Each is checked as accounts, contacts and deals are (`checking.Checker`): a batch at a time, a
re-imported row starting from the stored record, the model's own field validation, the rules of
the forms and services (the same messages), and the importer's write rule for every record a row
updates. Besides its external id, a row finds the record it updates by the key people know it by
where the model has one: a user by email, a product by name, a feature by its product and name, a
quota by its rep or team and quarter. References to other records (a feature's product, an ask's
account, deal and feature, a lead's or quota's owner) are resolved by external id, then by name.
"""

import datetime
import hashlib
import re
import secrets
from functools import cached_property
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from tandem.asks.models import Ask
from tandem.asks.selectors import ask_changeable
from tandem.core.fiscal import FiscalQuarter, fiscal_quarter_of
from tandem.core.money import workspace_get
from tandem.core.roles import Role
from tandem.imports.checking import TRUE, Checked, Checker, RowProblems, _constraint_message, owner_guess
from tandem.imports.columns import normalised
from tandem.imports.models import ImportJob, Kind
from tandem.imports.reading import Row, parse_date
from tandem.leads.models import Lead
from tandem.leads.selectors import lead_changeable
from tandem.people.models import Team, Territory, User, admin_site_access
from tandem.people.selectors import team_member_ids, territory_visible, user_changeable
from tandem.product.models import Feature, Product
from tandem.product.selectors import feature_changeable, feature_visible, product_changeable, product_visible
from tandem.sales.models import Quota
from tandem.sales.selectors import account_visible, opportunity_visible, quota_changeable
from tandem.sales.services import may_assign_to

RECORD_KINDS = (Kind.LEAD, Kind.USER, Kind.PRODUCT, Kind.FEATURE, Kind.ASK, Kind.QUOTA)
# The column that names a record besides its external id, where the kind has one.
NATURAL_FIELD: dict[str, str] = {Kind.USER: "email", Kind.PRODUCT: "name", Kind.FEATURE: "title", Kind.QUOTA: "owner"}

# The words the CRMs and product tools write for Tandem's choices (normalised), per kind and field.
RECORD_SYNONYMS: dict[str, dict[str, dict[str, str]]] = {
    Kind.LEAD: {
        "status": {
            # Salesforce's standard lead statuses
            "opennotcontacted": "new",
            "workingcontacted": "working",
            "closedconverted": "converted",
            "closednotconverted": "disqualified",
            # HubSpot's lead statuses, and its lifecycle stages when the export has no lead status
            "open": "new",
            "attemptedtocontact": "working",
            "inprogress": "working",
            "connected": "working",
            "opendeal": "qualified",
            "unqualified": "disqualified",
            "badtiming": "disqualified",
            "subscriber": "new",
            "lead": "new",
            "marketingqualifiedlead": "working",
            "salesqualifiedlead": "qualified",
            "opportunity": "qualified",
            "customer": "converted",
            # Pipedrive's lead labels
            "hot": "qualified",
            "warm": "working",
            "cold": "new",
            "archived": "disqualified",
        },
        "source": {
            "web": "inbound",
            "website": "inbound",
            "phoneinquiry": "inbound",
            "organicsearch": "inbound",
            "directtraffic": "inbound",
            "partnerreferral": "partner",
            "purchasedlist": "outbound",
            "coldcall": "outbound",
            "prospector": "outbound",
            "advertisement": "campaign",
            "paidsearch": "campaign",
            "paidsocial": "campaign",
            "socialmedia": "campaign",
            "emailmarketing": "campaign",
            "othercampaigns": "campaign",
            "tradeshow": "event",
            "seminarinternal": "event",
            "seminarpartner": "event",
            "webinar": "event",
            "employeereferral": "referral",
            "externalreferral": "referral",
            "referrals": "referral",
            "wordofmouth": "referral",
            "leadsuggestions": "outbound",
            "webforms": "inbound",
            "chatbot": "inbound",
            "manuallycreated": "outbound",
        },
    },
    Kind.PRODUCT: {
        "lifecycle_stage": {
            "idea": "ideation",
            "discovery": "ideation",
            "indevelopment": "development",
            "beta": "launch",
            "launched": "launch",
            "ga": "growth",
            "generallyavailable": "growth",
            "mature": "maturity",
            "sunset": "retirement",
            "retired": "retirement",
            "endoflife": "retirement",
        },
    },
    Kind.FEATURE: {
        "status": {
            # Productboard
            "newidea": "backlog",
            "candidate": "backlog",
            "released": "shipped",
            "wontdo": "declined",
            # Canny
            "open": "backlog",
            "underreview": "backlog",
            "complete": "shipped",
            "closed": "declined",
            # Aha!
            "underconsideration": "backlog",
            "readytodevelop": "planned",
            "indevelopment": "in_progress",
            "readytoship": "in_progress",
            "willnotimplement": "declined",
            "done": "shipped",
            "new": "backlog",
        },
    },
    Kind.ASK: {
        "importance": {
            "low": "nice_to_have",
            "nicetohave": "nice_to_have",
            "medium": "important",
            "high": "blocker",
            "critical": "blocker",
            "musthave": "blocker",
        },
        "source": {"phone": "call", "meeting": "call", "chat": "support", "intercom": "support", "zendesk": "support"},
    },
}
# Roles as the CRMs name them (Salesforce's standard roles and profiles), besides Tandem's own.
ROLE_SYNONYMS = {
    "salesrep": "rep",
    "salesrepresentative": "rep",
    "accountexecutive": "rep",
    "ae": "rep",
    "sdr": "rep",
    "bdr": "rep",
    "standarduser": "rep",
    "salesuser": "rep",
    "salesmanager": "sales_manager",
    "salesdirector": "sales_manager",
    "directorofsales": "sales_manager",
    "vpsales": "sales_manager",
    "vpofsales": "sales_manager",
    "productmanager": "product_manager",
    "productowner": "product_manager",
    "engineeringmanager": "engineering_lead",
    "engineeringlead": "engineering_lead",
    "cto": "engineering_lead",
    "ceo": "executive",
    "coo": "executive",
    "cfo": "executive",
    "executive": "executive",
    "systemadministrator": "admin",
    "administrator": "admin",
}
DISQUALIFIED_WITHOUT_REASON = "Disqualified before the import (the file gave no reason)."
PERIOD = re.compile(r"^(?:FY)?\s*(\d{4})\s*[-/ ]?\s*Q([1-4])$|^Q([1-4])\s*[-/ ]?\s*(?:FY)?\s*(\d{4})$", re.IGNORECASE)


def role_guess(value: str) -> str | None:
    key = normalised(value)
    for role, label in Role.choices:
        if key in (normalised(role), normalised(str(label))):
            return str(role)
    return ROLE_SYNONYMS.get(key)


class RecordChecker(Checker):
    """Checks a job of leads, users, products, features, asks or quotas a batch at a time."""

    @cached_property
    def unknown_password(self) -> str:
        """A random secret hashed once per import (hashing is slow on purpose), then forgotten."""
        return make_password(secrets.token_urlsafe(32))

    def __init__(self, job: ImportJob, actor: User) -> None:
        super().__init__(job, actor)
        self.role_map = {k: str(v) for k, v in job.value_map.get("role", {}).items() if v}
        self.seen["role"] = set()
        self.teams = {team.name: team for team in Team.objects.all()}
        self.team_by_id = {str(team.pk): team for team in self.teams.values()}
        self.territories = {territory.name: territory for territory in territory_visible(user=actor)}
        self.territory_by_id = {str(territory.pk): territory for territory in self.territories.values()}
        self.start_month = workspace_get().fiscal_year_start_month
        self.members = set(team_member_ids(manager=actor)) if actor.role == Role.SALES_MANAGER else set()
        self.own_columns = ["id", *(["version"] if hasattr(self.model, "version") else [])]
        if job.kind == Kind.ASK:
            self.own_columns.append("created_at")

    def _choices(self, name: str) -> tuple[dict[str, str], str]:
        if name not in self.choice_cache:
            accepted, labels = super()._choices(name)
            synonyms = RECORD_SYNONYMS.get(self.job.kind, {}).get(name, {})
            self.choice_cache[name] = ({**accepted, **synonyms}, labels)
        return self.choice_cache[name]

    # People

    def _person(self, row: Row, name: str = "owner") -> tuple[str, int | None]:
        """The person a cell names: mapped on the screen, else by external id, email, user name or full name."""
        value = str(self.cell(row, name))
        if not value:
            return "", None
        if len(self.seen["owner"]) < 500:
            self.seen["owner"].add(value)
        if value not in self.owner_map:
            guessed = owner_guess(value, self.users.values())
            self.owner_map[value] = guessed.pk if guessed else 0
        owner_id = self.owner_map[value]
        return value, owner_id if owner_id in self.users else None

    def _owner(self, row: Row, problems: list[tuple[str, str]]) -> int | None:
        value, owner_id = self._person(row)
        if not value:
            return None
        if owner_id is None:
            problems.append(
                (
                    self.header_of("owner"),
                    f"“{value}” is not mapped to a person in Tandem: map it on the mapping screen.",
                )
            )
            return None
        if self.job.kind == Kind.LEAD and not may_assign_to(actor=self.actor, owner=self.users[owner_id]):
            problems.append(
                (
                    self.header_of("owner"),
                    f"You may not give leads to {self.users[owner_id].get_full_name()}: "
                    "only to members of the teams you manage.",
                )
            )
            return None
        return owner_id

    def _team(self, row: Row, problems: list[tuple[str, str]]) -> Team | None:
        value = str(self.cell(row, "team"))
        if not value:
            return None
        team = self.teams.get(value) or self.team_by_id.get(value)
        if team is None:
            problems.append((self.header_of("team"), f"No team is named “{value}”: add it first."))
        return team

    def _territory(self, row: Row, problems: list[tuple[str, str]]) -> Territory | None:
        value = str(self.cell(row, "territory"))
        if not value:
            return None
        territory = self.territories.get(value) or self.territory_by_id.get(value)
        if territory is None:
            problems.append((self.header_of("territory"), f"No territory is named “{value}”: add it first."))
        return territory

    # Batches

    def check(self, rows: list[Row]) -> Checked:
        result = Checked()
        filled = [row for row in rows if any(str(cell).strip() for cell in row.cells)]
        result.blank = len(rows) - len(filled)
        refs = self._references(filled)
        naturals = [self._natural(row, refs) for row in filled]
        fields = [*self.own_columns, *[f.attname for f in self.model_fields if f.attname not in self.own_columns]]
        manager = self.model._default_manager
        external_ids = {str(self.cell(row, "external_id")) for row in filled} - {""}
        by_external = (
            {v["external_id"]: v for v in manager.filter(external_id__in=external_ids).values(*fields)}
            if external_ids
            else {}
        )
        by_natural = self._by_natural({n for n in naturals if n is not None}, fields)
        found = {v["id"] for v in by_external.values()} | {v["id"] for v in by_natural.values()}
        changeable = set(self._changeable().filter(pk__in=found).values_list("pk", flat=True)) if found else set()
        taken = self._taken(filled)
        for row, natural in zip(filled, naturals, strict=True):
            try:
                external_id = str(self.cell(row, "external_id")) or None
                before = by_external.get(external_id) if external_id else None
                if before is None and natural is not None:
                    before = by_natural.get(natural)
                if before is not None and before["id"] not in changeable:
                    raise RowProblems(
                        [
                            (
                                self.header_of("external_id" if external_id else self._natural_column()),
                                f"“{external_id or self._label(row, natural)}” is a record you may not change.",
                            )
                        ]
                    )
                data = self._row(row, before, refs)
                self._unique(row, data, before, taken)
                data["external_id"] = external_id or (before or {}).get("external_id")
                key = external_id or (_fitted(self._label(row, natural)) if natural else None)
                result.staged.append((row.line, key, data))
            except RowProblems as error:
                problems = [{"column": column, "reason": reason} for column, reason in error.problems]
                result.rejected.append((row.line, problems, ["" if c is None else str(c) for c in row.cells]))
        return result

    def _changeable(self) -> QuerySet[Any]:
        rules: dict[str, Any] = {
            Kind.LEAD: lead_changeable,
            Kind.USER: user_changeable,
            Kind.PRODUCT: product_changeable,
            Kind.FEATURE: feature_changeable,
            Kind.ASK: ask_changeable,
            Kind.QUOTA: quota_changeable,
        }
        return rules[self.job.kind](user=self.actor)

    def _natural_column(self) -> str:
        return self.header_of(NATURAL_FIELD.get(self.job.kind, "external_id"))

    def _natural(self, row: Row, refs: dict[str, Any]) -> tuple[Any, ...] | None:
        """The key people know a record by besides its external id (None: the kind has none)."""
        kind = self.job.kind
        if kind == Kind.USER:
            email = str(self.cell(row, "email")).lower()
            return (email,) if email else None
        if kind == Kind.PRODUCT:
            name = str(self.cell(row, "name"))
            return (name,) if name else None
        if kind == Kind.FEATURE:
            product_id = self._ref_id(row, "product", refs)
            title = str(self.cell(row, "title"))
            return (product_id, title) if product_id and title else None
        if kind == Kind.QUOTA:
            _, user_id = self._person(row)
            team = self.teams.get(str(self.cell(row, "team"))) or self.team_by_id.get(str(self.cell(row, "team")))
            quarter = self._quarter(row, [])
            if quarter is None or (user_id is None) == (team is None):
                return None
            return (user_id, team.pk if team else None, quarter.year, quarter.quarter)
        return None

    def _label(self, row: Row, natural: tuple[Any, ...] | None) -> str:
        """How a row names its record by the natural key (refusals, repeated rows of one file)."""
        if natural is None:
            return ""
        if self.job.kind == Kind.FEATURE:
            return f"{self.cell(row, 'product')} / {natural[1]}"
        if self.job.kind == Kind.QUOTA:
            who = self.cell(row, "owner") or self.cell(row, "team")
            return f"{who} {FiscalQuarter(natural[2], natural[3])}"
        return str(natural[0])

    def _by_natural(self, keys: set[tuple[Any, ...]], fields: list[str]) -> dict[tuple[Any, ...], dict[str, Any]]:
        if not keys:
            return {}
        manager = self.model._default_manager
        kind = self.job.kind
        if kind == Kind.USER:
            users = manager.annotate(email_key=Lower("email")).filter(email_key__in=[k[0] for k in keys])
            return {(v["email"].lower(),): v for v in users.values(*fields)}
        if kind == Kind.PRODUCT:
            return {(v["name"],): v for v in manager.filter(name__in=[k[0] for k in keys]).values(*fields)}
        if kind == Kind.FEATURE:
            features = manager.filter(product_id__in={k[0] for k in keys}, title__in={k[1] for k in keys})
            found: dict[tuple[Any, ...], dict[str, Any]] = {}
            repeated: set[tuple[Any, ...]] = set()
            for v in features.values(*fields):
                key = (v["product_id"], v["title"])
                repeated |= {key} if key in found else set()
                found[key] = v
            # Two features of one name in a product: the row must give the external id.
            return {k: v for k, v in found.items() if k not in repeated}
        if kind == Kind.QUOTA:
            quotas = manager.filter(
                Q(user_id__in={k[0] for k in keys if k[0]}) | Q(team_id__in={k[1] for k in keys if k[1]}),
                fiscal_year__in={k[2] for k in keys},
            )
            return {
                (v["user_id"], v["team_id"], v["fiscal_year"], v["fiscal_quarter"]): v for v in quotas.values(*fields)
            }
        return {}

    def _taken(self, rows: list[Row]) -> dict[str, dict[str, int]]:
        """Values another record may already hold where the model wants them unique (a user's email
        and user name, a product's name), to refuse the row rather than fail the write."""
        if self.job.kind == Kind.USER:
            emails = {str(self.cell(row, "email")).lower() for row in rows} - {""}
            names = {str(self.cell(row, "username")) or str(self.cell(row, "email")) for row in rows} - {""}
            by_email = dict(
                User.objects.annotate(email_key=Lower("email"))
                .filter(email_key__in=emails)
                .values_list("email_key", "pk")
            )
            by_name = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
            return {"email": by_email, "username": by_name}
        if self.job.kind == Kind.PRODUCT:
            names = {str(self.cell(row, "name")) for row in rows} - {""}
            return {"name": dict(Product.objects.filter(name__in=names).values_list("name", "pk"))}
        return {}

    def _unique(
        self, row: Row, data: dict[str, Any], before: dict[str, Any] | None, taken: dict[str, dict[str, int]]
    ) -> None:
        problems = []
        own = before["id"] if before else None
        for name, holders in taken.items():
            value = str(data.get(name) or "")
            holder = holders.get(value.lower() if name == "email" else value)
            if holder is not None and holder != own:
                what = {"email": "user has the email", "username": "user has the user name", "name": "product is named"}
                problems.append((self.header_of(name), f"Another {what[name]} “{value}”."))
        if problems:
            raise RowProblems(problems)

    # References

    def _references(self, rows: list[Row]) -> dict[str, Any]:
        """The records this batch names, by external id and by name, among those the importer may use."""
        refs: dict[str, Any] = {}
        if self.job.kind == Kind.FEATURE:
            refs["product"] = self._lookup(rows, "product", product_visible(user=self.actor), "name")
        if self.job.kind == Kind.ASK:
            refs["account"] = self._lookup(rows, "account", account_visible(user=self.actor), "name")
            refs["opportunity"] = self._lookup(rows, "opportunity", opportunity_visible(user=self.actor), "name")
            refs["feature"] = self._lookup(rows, "feature", feature_visible(user=self.actor), "title")
        return refs

    def _lookup(
        self, rows: list[Row], name: str, usable: QuerySet[Any], label: str
    ) -> tuple[dict[str, int], dict[str, int | None]]:
        values = {str(self.cell(row, name)) for row in rows} - {""}
        if not values:
            return {}, {}
        by_id: dict[str, int] = dict(usable.filter(external_id__in=values).values_list("external_id", "id"))
        by_name: dict[str, int | None] = {}
        for text, pk in usable.filter(**{f"{label}__in": values - set(by_id)}).values_list(label, "id"):
            by_name[text] = None if text in by_name else pk  # two of one name: ambiguous
        return by_id, by_name

    def _ref_id(self, row: Row, name: str, refs: dict[str, Any]) -> int | None:
        ref = str(self.cell(row, name))
        by_id, by_name = refs.get(name, ({}, {}))
        return by_id.get(ref) or by_name.get(ref) if ref else None

    def _reference(self, row: Row, name: str, refs: dict[str, Any], problems: list[tuple[str, str]]) -> int | None:
        ref = str(self.cell(row, name))
        if not ref:
            return None
        found = self._ref_id(row, name, refs)
        if found:
            return found
        what = {"product": "product", "account": "account", "opportunity": "deal", "feature": "feature"}[name]
        plural = {"opportunity": "deals"}.get(name, f"{what}s")
        if ref in refs.get(name, ({}, {}))[1]:
            problems.append(
                (self.header_of(name), f"Several {plural} are named “{ref}”: give the {what}'s external id.")
            )
        else:
            problems.append(
                (
                    self.header_of(name),
                    f"No {what} you may use has the external id or name “{ref}”: import the {plural} first.",
                )
            )
        return None

    # Rows

    def _names(self, row: Row, values: dict[str, Any]) -> None:
        self._text(row, values, "first_name", "last_name")
        full = str(self.cell(row, "full_name"))
        if full and not self.cell(row, "first_name") and not self.cell(row, "last_name"):
            first, _, last = full.rpartition(" ")
            values["first_name"], values["last_name"] = (first, last) if first else ("", last)

    def _read_lead(
        self, row: Row, values: dict[str, Any], problems: list[tuple[str, str]], before: Any, refs: Any
    ) -> None:
        self._names(row, values)
        self._text(row, values, "company", "email", "phone", "title", "country", "region", "campaign", "need")
        self._text(row, values, "disqualified_reason")
        for name in ("source", "status"):
            if (choice := self._choice(row, name, problems)) is not None:
                values[name] = choice
        budget, _ = self._decimal(row, "budget", problems)
        if budget is not None:
            values["budget"] = budget
            if budget < 0:
                problems.append((self.header_of("budget"), _constraint_message(Lead, "lead_budget_not_negative")))
        # Without the column a lead keeps the territory it has (a new one none), as on the lead form:
        # nothing derives it from the owner or the country.
        territory = self._territory(row, problems)
        if territory is not None:
            values["territory_id"] = territory.pk
        owner_id = self._owner(row, problems)
        values["owner_id"] = owner_id or values.get("owner_id") or self.actor.pk
        status = values.get("status")
        if status == Lead.Status.DISQUALIFIED and not values.get("disqualified_reason"):
            # History is kept: the lead page shows the reason was not known.
            values["disqualified_reason"] = DISQUALIFIED_WITHOUT_REASON
        if status == Lead.Status.CONVERTED:
            values["converted_at"] = values.get("converted_at") or self.now
        else:
            values["converted_at"] = None
        if status == Lead.Status.QUALIFIED:
            values["qualified_at"] = values.get("qualified_at") or self.now
        if not values.get("last_name") and not values.get("first_name"):
            problems.append(
                (self.header_of("last_name" if "last_name" in self.columns else "full_name"), "A lead needs a name.")
            )
        elif not values.get("last_name"):
            values["first_name"], values["last_name"] = "", values["first_name"]
        if not values.get("company"):
            problems.append((self.header_of("company"), "A lead needs its company."))
        if not values.get("source") and not any(c == self.header_of("source") for c, _ in problems):
            problems.append((self.header_of("source"), "A lead needs its source: " + self._choices("source")[1] + "."))

    def _read_user(
        self, row: Row, values: dict[str, Any], problems: list[tuple[str, str]], before: Any, refs: Any
    ) -> None:
        self._names(row, values)
        self._text(row, values, "title")
        email = str(self.cell(row, "email"))
        if email:
            values["email"] = email
        username = str(self.cell(row, "username"))
        if username or not values.get("username"):
            values["username"] = username or email
        value = str(self.cell(row, "role"))
        if value:
            if len(self.seen["role"]) < 500:
                self.seen["role"].add(value)
            role = self.role_map.get(value) or role_guess(value)
            if role is None:
                problems.append(
                    (
                        self.header_of("role"),
                        f"“{value}” is not mapped to a role of Tandem: map it on the mapping screen.",
                    )
                )
            else:
                values["role"] = role
        # The role decides the admin site's flags (a constraint holds it): an imported admin enters
        # the Django admin as a seeded one does; one the file moves to another role no longer does.
        values.update(admin_site_access(values["role"]))
        team = self._team(row, problems)
        if team is not None:
            values["team_id"] = team.pk
        active = str(self.cell(row, "is_active")).lower()
        if active:
            values["is_active"] = active in TRUE
        if before is None:
            # A password nobody knows, so "Forgot your password?" works (Django's reset sends
            # nothing to an account whose password is unusable).
            values["password"] = self.unknown_password
        if not values.get("email"):
            problems.append((self.header_of("email"), "A user needs an email: it is how they sign in."))

    def _read_product(
        self, row: Row, values: dict[str, Any], problems: list[tuple[str, str]], before: Any, refs: Any
    ) -> None:
        self._text(row, values, "name", "description")
        if (choice := self._choice(row, "lifecycle_stage", problems)) is not None:
            values["lifecycle_stage"] = choice
        manager_id = self._owner(row, problems)
        if manager_id:
            values["manager_id"] = manager_id
        if not values.get("name"):
            problems.append((self.header_of("name"), "A product needs a name."))

    def _read_feature(
        self, row: Row, values: dict[str, Any], problems: list[tuple[str, str]], before: Any, refs: Any
    ) -> None:
        self._text(row, values, "title", "description")
        for name in ("status", "confidence", "visibility", "horizon"):
            if (choice := self._choice(row, name, problems)) is not None:
                values[name] = choice
        effort, _ = self._decimal(row, "effort", problems)
        if effort is not None:
            values["effort"] = effort
            if effort <= 0:
                problems.append((self.header_of("effort"), _constraint_message(Feature, "feature_effort_positive")))
        product_id = self._reference(row, "product", refs, problems)
        values["product_id"] = product_id or values.get("product_id")
        owner_id = self._owner(row, problems)
        if owner_id:
            values["owner_id"] = owner_id
        if not values.get("product_id") and not problems:
            problems.append((self.header_of("product"), "A feature needs its product."))
        if not values.get("title"):
            problems.append((self.header_of("title"), "A feature needs a name."))

    def _read_ask(
        self, row: Row, values: dict[str, Any], problems: list[tuple[str, str]], before: Any, refs: Any
    ) -> None:
        self._text(row, values, "need", "why")
        for name in ("importance", "source"):
            if (choice := self._choice(row, name, problems)) is not None:
                values[name] = choice
        account_id = self._reference(row, "account", refs, problems)
        values["account_id"] = account_id or values.get("account_id")
        opportunity_id = self._reference(row, "opportunity", refs, problems)
        if opportunity_id:
            values["opportunity_id"] = opportunity_id
        feature_id = self._reference(row, "feature", refs, problems)
        if feature_id:
            values["feature_id"] = feature_id
            if values.get("status") == Ask.Status.NEW:
                values["status"] = Ask.Status.LINKED
        requested_by = self._owner(row, problems)
        values["requested_by_id"] = requested_by or values.get("requested_by_id") or self.actor.pk
        logged = self.cell(row, "created_at")
        if logged != "":
            try:
                day = parse_date(logged, date_format=self.job.date_format)
                values["created_at"] = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
            except ValueError as error:
                problems.append((self.header_of("created_at"), str(error)))
        values["created_at"] = values.get("created_at") or self.now
        if not values.get("account_id") and not any(c == self.header_of("account") for c, _ in problems):
            problems.append((self.header_of("account"), "An ask needs the customer's account."))
        if not values.get("need"):
            problems.append((self.header_of("need"), _constraint_message(Ask, "ask_need_not_empty")))

    def _quarter(self, row: Row, problems: list[tuple[str, str]]) -> FiscalQuarter | None:
        """A quota's fiscal quarter: from a period (a start date, or `FY2027 Q1`) or year and quarter columns."""
        raw = self.cell(row, "period")
        period = str(raw)
        if period:
            match = PERIOD.match(period)
            if match:
                year, quarter = (match[1], match[2]) if match[1] else (match[4], match[3])
                return FiscalQuarter(int(year), int(quarter))
            try:
                # A spreadsheet's date cell comes as a date, a CSV's as text in the file's format.
                return fiscal_quarter_of(parse_date(raw, date_format=self.job.date_format), self.start_month)
            except ValueError:
                problems.append(
                    (self.header_of("period"), f"“{period}” is not a quarter's start date or a period like FY2027 Q1.")
                )
                return None
        # A spreadsheet's number cells read as 2027.0.
        year = str(self.cell(row, "fiscal_year")).removesuffix(".0")
        quarter = str(self.cell(row, "fiscal_quarter")).removesuffix(".0")
        if year.isdigit() and quarter.removeprefix("Q").isdigit():
            return FiscalQuarter(int(year), int(quarter.removeprefix("Q")))
        column = "period" if "period" in self.columns or not year else "fiscal_year"
        problems.append(
            (self.header_of(column), "A quota needs its quarter: a start date, or a period like FY2027 Q1.")
        )
        return None

    def _read_quota(
        self, row: Row, values: dict[str, Any], problems: list[tuple[str, str]], before: Any, refs: Any
    ) -> None:
        quarter = self._quarter(row, problems)
        if quarter is not None:
            values["fiscal_year"], values["fiscal_quarter"] = quarter.year, quarter.quarter
            if not 1 <= quarter.quarter <= 4:
                problems.append((self.header_of("period"), _constraint_message(Quota, "quota_quarter_range")))
        amount, symbol_currency = self._decimal(row, "amount", problems)
        user_id = self._owner(row, problems)
        team = self._team(row, problems)
        if user_id is not None or team is not None:
            values["user_id"], values["team_id"] = user_id, team.pk if team else None
        if problems:
            return
        if (values.get("user_id") is None) == (values.get("team_id") is None):
            problems.append((self.header_of("owner"), _constraint_message(Quota, "quota_for_user_or_team")))
            return
        if self.actor.role == Role.SALES_MANAGER:
            allowed = (
                values["user_id"] != self.actor.pk and values["user_id"] in self.members
                if values["user_id"]
                else team is not None and team.manager_id == self.actor.pk
            )
            if not allowed:
                problems.append(
                    (
                        self.header_of("owner" if values["user_id"] else "team"),
                        "A sales manager sets quotas only for the teams they manage and their members.",
                    )
                )
                return
        if amount is None:
            if before is None:
                problems.append((self.header_of("amount"), "A quota needs an amount."))
            return
        if amount < 0:
            problems.append((self.header_of("amount"), _constraint_message(Quota, "quota_amount_not_negative")))
            return
        currency = str(self.cell(row, "currency")).upper() or symbol_currency or self.home
        start, _ = FiscalQuarter(values["fiscal_year"], values["fiscal_quarter"]).bounds(self.start_month)
        # Quotas are in the home currency: another is converted at the rate on the quarter's first day.
        values["amount"] = self._home(amount, currency, start, problems)


def _fitted(key: str) -> str:
    """A staged row's key within its column's 100 characters, still telling long keys apart."""
    if len(key) <= 100:
        return key
    return f"{key[:60]}…{hashlib.sha256(key.encode()).hexdigest()[:39]}"


def checker_for(job: ImportJob, actor: User) -> Checker:
    return RecordChecker(job, actor) if job.kind in RECORD_KINDS else Checker(job, actor)
