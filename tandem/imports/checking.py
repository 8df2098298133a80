"""Checking rows against the same rules as the forms, a batch at a time, before anything is written.

Each row becomes the full set of columns its record will have (a re-imported row starts from the
stored record, so a blank cell keeps what is there, as Data Loader does), is checked by the model's
own field validation (lengths, choices, emails) and the rules of its constraints and services
(amounts not negative, probabilities 0-100, owners the importer may assign to, accounts they may
see or change, records they may change), and is either staged or refused with every problem under
its column.
"""

import bisect
import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator, MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Model, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from tandem.asks.models import Ask
from tandem.core.constraints import FieldCheckConstraint
from tandem.core.models import ExchangeRate
from tandem.core.money import converted, workspace_get
from tandem.imports.columns import normalised
from tandem.imports.models import ImportJob, Kind
from tandem.imports.reading import Row, parse_date, parse_decimal
from tandem.leads.models import Lead
from tandem.people.models import User
from tandem.product.models import Feature, Product
from tandem.sales.models import Account, Contact, Opportunity, Quota, Stage
from tandem.sales.selectors import account_changeable, account_visible, contact_changeable, opportunity_changeable
from tandem.sales.services import may_assign_to

MODELS: dict[str, type[Model]] = {
    Kind.ACCOUNT: Account,
    Kind.CONTACT: Contact,
    Kind.OPPORTUNITY: Opportunity,
    Kind.LEAD: Lead,
    Kind.USER: User,
    Kind.PRODUCT: Product,
    Kind.FEATURE: Feature,
    Kind.ASK: Ask,
    Kind.QUOTA: Quota,
}
# Columns Tandem sets itself, never read from a file.
OWN_COLUMNS = {"id", "created_at", "updated_at", "version", "last_activity_at", "closed_at", "amount_home"}
TRUE = {"true", "1", "yes", "y", "t", "x", "wahr", "oui", "ja"}

# Values the CRMs write for Tandem's choices (normalised), besides each choice's own value and label.
CHOICE_SYNONYMS: dict[str, dict[str, str]] = {
    "type": {
        "newbusiness": "new",
        "newcustomer": "new",
        "existingcustomerupgrade": "upsell",
        "existingbusiness": "upsell",
        "expansion": "upsell",
        "existingcustomerreplacement": "renewal",
        "existingcustomerdowngrade": "renewal",
    },
    "lead_source": {
        "web": "inbound",
        "phoneinquiry": "inbound",
        "organicsearch": "inbound",
        "directtraffic": "inbound",
        "partnerreferral": "partner",
        "purchasedlist": "outbound",
        "coldcall": "outbound",
        "advertisement": "campaign",
        "paidsearch": "campaign",
        "paidsocial": "campaign",
        "emailmarketing": "campaign",
        "tradeshow": "event",
        "seminarinternal": "event",
        "seminarpartner": "event",
        "webinar": "event",
        "employeereferral": "referral",
        "externalreferral": "referral",
        "wordofmouth": "referral",
        "other": "",
        "offlinesources": "",
    },
    "forecast_category": {"bestcase": "best_case", "closed": "closed", "omitted": "omitted"},
    "segment": {"midmarket": "mid_market", "mm": "mid_market", "smallbusiness": "smb", "ent": "enterprise"},
    "status": {"customer": "customer", "lead": "prospect", "opportunity": "prospect", "former": "churned"},
}
# Salesforce's and HubSpot's standard stages, to Tandem's default stage names.
STAGE_SYNONYMS = {
    "qualification": "discovery",
    "needsanalysis": "discovery",
    "qualifiedtobuy": "discovery",
    "appointmentscheduled": "prospecting",
    "valueproposition": "solutiondemo",
    "iddecisionmakers": "solutiondemo",
    "perceptionanalysis": "solutiondemo",
    "presentationscheduled": "solutiondemo",
    "decisionmakerboughtin": "proposal",
    "proposalpricequote": "proposal",
    "contractsent": "negotiation",
    "negotiationreview": "negotiation",
    "won": "closedwon",
    "lost": "closedlost",
}


def _constraint_message(model: type[Model], name: str) -> str:
    for constraint in model._meta.constraints:
        if constraint.name == name and isinstance(constraint, FieldCheckConstraint):
            return str(constraint.violation_error_message)
    raise LookupError(name)


def stage_guess(value: str, stages: list[Stage]) -> Stage | None:
    """A stage named like `value`, or its standard counterpart (Salesforce's and HubSpot's defaults)."""
    key = normalised(value)
    by_name = {normalised(stage.name): stage for stage in stages}
    key = key if key in by_name else STAGE_SYNONYMS.get(key, key)
    if key in by_name:
        return by_name[key]
    if key == "closedwon":
        return next((s for s in stages if s.is_won), None)
    if key == "closedlost":
        return next((s for s in stages if s.is_lost), None)
    return None


def owner_guess(value: str, users: Iterable[User]) -> User | None:
    """A person whose external id is `value` (the CRM's own user id, once its users are imported), or
    whose email, username or full name is `value` (case and spacing aside)."""
    key = normalised(value)
    for user in users:
        if user.external_id == value:
            return user
    for user in users:
        if key in (normalised(user.email), normalised(user.username), normalised(user.get_full_name())):
            return user
    return None


class RowProblems(Exception):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems


@dataclass
class Checked:
    staged: list[tuple[int, str | None, dict[str, Any]]] = field(default_factory=list)
    rejected: list[tuple[int, list[dict[str, str]], list[str]]] = field(default_factory=list)
    blank: int = 0


class Checker:
    """Checks a job's rows a batch at a time: three to five queries per batch, whatever its size."""

    def __init__(self, job: ImportJob, actor: User) -> None:
        self.job = job
        self.actor = actor
        self.model = MODELS[job.kind]
        self.home = workspace_get().home_currency
        self.now = timezone.now()
        self.now_text = self.now.isoformat()
        self.index = {name: i for i, name in enumerate(job.header)}
        self.columns = {f: self.index[h] for f, h in job.mapping.items() if h in self.index}
        self.cells_of: Row | None = None
        self.cells: dict[str, Any] = {}
        self.users = {user.pk: user for user in User.objects.filter(is_active=True)}
        self.stages = list(Stage.objects.all())
        self.stage_by_id = {stage.pk: stage for stage in self.stages}
        self.owner_map = {k: int(v) for k, v in job.value_map.get("owner", {}).items() if v}
        self.stage_map = {k: int(v) for k, v in job.value_map.get("stage", {}).items() if v}
        self.rates: dict[str, tuple[list[datetime.date], list[Decimal]]] = {}
        for currency, valid_from, rate in ExchangeRate.objects.order_by("currency", "valid_from").values_list(
            "currency", "valid_from", "rate_to_home"
        ):
            days, rates = self.rates.setdefault(currency, ([], []))
            days.append(valid_from)
            rates.append(rate)
        self.seen: dict[str, set[str]] = {"stage": set(), "owner": set()}
        self.choice_cache: dict[str, tuple[dict[str, str], str]] = {}
        self.choices_read: dict[tuple[str, Any], str] = {}
        self.default_values: dict[str, Any] | None = None
        self.stage_cache: dict[str, Stage | None] = {}
        # The fields a row's values are checked by (lengths, choices, emails, text limits), as
        # `clean_fields` checks them, without building a model instance per row.
        # Only the fields the file fills: the others keep a default or a stored value already valid.
        filled = set(self.columns) | ({"first_name", "last_name"} if "full_name" in self.columns else set())
        self.checked_fields = [
            f
            for f in self.model._meta.concrete_fields
            if not f.is_relation and f.attname not in OWN_COLUMNS and f.attname in filled
        ]
        self.model_fields = [f for f in self.model._meta.concrete_fields if f.attname not in OWN_COLUMNS]
        # A choice field's verdict depends on its value alone, and a file repeats a few: each is checked once.
        self.choice_verdicts: dict[tuple[str, str], list[str]] = {}
        self.field_checks = [(f, _passes(f)) for f in self.checked_fields]
        # The values JSON cannot hold as they are: written as the text their column reads back.
        self.json_texts = [
            f.attname
            for f in self.model._meta.concrete_fields
            if f.get_internal_type() in ("DecimalField", "DateField", "DateTimeField")
        ]

    # Reading cells

    def header_of(self, name: str) -> str:
        return self.job.mapping.get(name, name)

    def cell(self, row: Row, name: str) -> Any:
        if row is not self.cells_of:
            # A row's mapped cells, stripped once: reading a deal asks for its cells about fifteen times.
            cells = row.cells
            self.cells = {
                field: cells[at].strip() if isinstance(cells[at], str) else cells[at]
                for field, at in self.columns.items()
                if at < len(cells)
            }
            self.cells_of = row
        return self.cells.get(name, "")

    def _decimal(self, row: Row, name: str, problems: list[tuple[str, str]]) -> tuple[Decimal | None, str]:
        value = self.cell(row, name)
        if value == "":
            return None, ""
        try:
            return parse_decimal(value, decimal_separator=self.job.decimal_separator)
        except ValueError as error:
            problems.append((self.header_of(name), str(error)))
            return None, ""

    def _choices(self, name: str) -> tuple[dict[str, str], str]:
        """A choice field's accepted spellings (value, label, the CRMs' words), built once per import."""
        if name not in self.choice_cache:
            model_field = self.model._meta.get_field(name)
            assert isinstance(model_field, models.Field)
            pairs = model_field.choices or []
            accepted = {normalised(str(v)): str(v) for v, _ in pairs}
            accepted.update({normalised(str(label)): str(v) for v, label in pairs})
            accepted.update(CHOICE_SYNONYMS.get(name, {}))
            self.choice_cache[name] = (accepted, ", ".join(str(label) for _, label in pairs))
        return self.choice_cache[name]

    def _choice(self, row: Row, name: str, problems: list[tuple[str, str]]) -> str | None:
        value = self.cell(row, name)
        if value == "":
            return None
        read = self.choices_read.get((name, value))
        if read is not None:
            return read
        accepted, labels = self._choices(name)
        key = str(value) if str(value) in accepted else normalised(str(value))
        if key not in accepted:
            problems.append((self.header_of(name), f"“{value}” is not one of: {labels}."))
            return None
        # A file repeats a few spellings of each choice: each is worked out once.
        self.choices_read[(name, value)] = accepted[key]
        return accepted[key]

    def _owner(self, row: Row, problems: list[tuple[str, str]]) -> int | None:
        value = str(self.cell(row, "owner"))
        if not value:
            return None
        if len(self.seen["owner"]) < 500:
            self.seen["owner"].add(value)
        owner_id = self.owner_map.get(value)
        if owner_id is None:
            guessed = owner_guess(value, self.users.values())
            owner_id = guessed.pk if guessed else None
            self.owner_map[value] = owner_id or 0
        if not owner_id or owner_id not in self.users:
            problems.append(
                (
                    self.header_of("owner"),
                    f"“{value}” is not mapped to a person in Tandem: map it on the mapping screen.",
                )
            )
            return None
        if not may_assign_to(actor=self.actor, owner=self.users[owner_id]):
            problems.append(
                (
                    self.header_of("owner"),
                    f"You may not give records to {self.users[owner_id].get_full_name()}: "
                    "only to members of the teams you manage.",
                )
            )
            return None
        return owner_id

    # Batches

    def check(self, rows: list[Row]) -> Checked:
        result = Checked()
        filled = [row for row in rows if "".join(map(str, row.cells)).strip()]
        result.blank = len(rows) - len(filled)
        rows = filled
        external_ids = {str(self.cell(row, "external_id")) for row in rows} - {""}
        own = ["id", "version"] if self.job.kind != Kind.CONTACT else ["id"]
        if self.job.kind == Kind.OPPORTUNITY:
            own += ["created_at", "closed_at", "last_activity_at"]
        existing: dict[str, dict[str, Any]] = {}
        changeable: set[str] = set()
        if external_ids:
            fields = [*own, *[f.attname for f in self.model_fields]]
            existing = {
                v["external_id"]: v
                for v in self.model._default_manager.filter(_among(self.model, "external_id", external_ids)).values(
                    *fields
                )
            }
            changeable = set(
                self._changeable()
                .filter(_among(self.model, "external_id", existing))
                .values_list("external_id", flat=True)
            )
        accounts = self._accounts(rows) if "account" in self.columns else ({}, {})
        for row in rows:
            try:
                external_id = str(self.cell(row, "external_id")) or None
                before = existing.get(external_id) if external_id else None
                if before is not None and external_id not in changeable:
                    raise RowProblems(
                        [
                            (
                                self.header_of("external_id"),
                                f"“{external_id}” is a record you may not change "
                                "(its owner's, their manager's or an admin's).",
                            )
                        ]
                    )
                data = self._row(row, before, accounts)
                data["external_id"] = external_id
                result.staged.append((row.line, external_id, data))
            except RowProblems as error:
                problems = [{"column": column, "reason": reason} for column, reason in error.problems]
                result.rejected.append((row.line, problems, ["" if c is None else str(c) for c in row.cells]))
        return result

    def _changeable(self) -> Any:
        rules: dict[str, Any] = {
            Kind.ACCOUNT: account_changeable,
            Kind.CONTACT: contact_changeable,
            Kind.OPPORTUNITY: opportunity_changeable,
        }
        return rules[self.job.kind](user=self.actor)

    def _accounts(self, rows: list[Row]) -> tuple[dict[str, int], dict[str, int | None]]:
        """The accounts the batch names, by external id and by (unique) name, among those the importer
        may use: a deal goes on an account they see, a contact on one they may change."""
        refs = {str(self.cell(row, "account")) for row in rows} - {""}
        usable = (
            account_changeable(user=self.actor) if self.job.kind == Kind.CONTACT else account_visible(user=self.actor)
        )
        found = usable.filter(_among(Account, "external_id", refs)).values_list("external_id", "id")
        by_id: dict[str, int] = dict(found)  # type: ignore[arg-type]
        by_name: dict[str, int | None] = {}
        for name, pk in usable.filter(name__in=refs - set(by_id)).values_list("name", "id"):
            by_name[name] = None if name in by_name else pk  # two accounts of one name: ambiguous
        return by_id, by_name

    def _account(
        self, row: Row, accounts: tuple[dict[str, int], dict[str, int | None]], problems: list[tuple[str, str]]
    ) -> int | None:
        ref = str(self.cell(row, "account"))
        if not ref:
            return None
        by_id, by_name = accounts
        if ref in by_id:
            return by_id[ref]
        if by_name.get(ref):
            return by_name[ref]
        if ref in by_name:
            problems.append(
                (self.header_of("account"), f"Several accounts are named “{ref}”: give the account's external id.")
            )
        else:
            problems.append(
                (
                    self.header_of("account"),
                    f"No account you may use has the external id or name “{ref}”: import the accounts first.",
                )
            )
        return None

    def _row(self, row: Row, before: dict[str, Any] | None, accounts: Any) -> dict[str, Any]:
        problems: list[tuple[str, str]] = []
        values = self._defaults() if before is None else {k: v for k, v in before.items() if k not in ("id", "version")}
        read: Callable[[Row, dict[str, Any], list[tuple[str, str]], dict[str, Any] | None, Any], None] = getattr(
            self, f"_read_{self.job.kind}"
        )
        read(row, values, problems, before, accounts)
        if not problems:
            for model_field, passes in self.field_checks:
                raw = values.get(model_field.attname)
                if passes(raw) or (raw in model_field.empty_values and model_field.blank):
                    continue
                if model_field.choices and isinstance(raw, str):
                    key = (model_field.attname, raw)
                    if key not in self.choice_verdicts:
                        self.choice_verdicts[key] = _refusals(model_field, raw)
                    messages = self.choice_verdicts[key]
                else:
                    messages = _refusals(model_field, raw)
                problems.extend((self.header_of(model_field.name), message) for message in messages)
        if problems:
            raise RowProblems(problems)
        if before is not None:
            # What the check saw: the write refuses the import if someone changed the record since.
            values["meta"] = {**values.get("meta", {}), "id": before["id"], "version": before.get("version")}
        for name in self.json_texts:
            value = values.get(name)
            if value is self.now:
                values[name] = self.now_text  # a new deal's created_at, last_activity_at, closed_at
            elif value is not None and not isinstance(value, str):
                values[name] = _json(value)
        return values

    def _defaults(self) -> dict[str, Any]:
        if self.default_values is None:
            self.default_values = {
                f.attname: f.get_default() if f.has_default() else (None if f.null else "") for f in self.model_fields
            }
        return dict(self.default_values)

    def _text(self, row: Row, values: dict[str, Any], *names: str) -> None:
        for name in names:
            value = self.cell(row, name)
            if value != "":
                values[name] = str(value)

    def _read_account(
        self, row: Row, values: dict[str, Any], problems: list[tuple[str, str]], before: Any, accounts: Any
    ) -> None:
        self._text(row, values, "name", "industry", "region")
        for name in ("segment", "status"):
            if (choice := self._choice(row, name, problems)) is not None:
                values[name] = choice
        employees, _ = self._decimal(row, "employees", problems)
        if employees is not None:
            values["employees"] = int(employees)
            if employees < 0:
                problems.append((self.header_of("employees"), "The number of employees cannot be negative."))
        revenue, _ = self._decimal(row, "annual_revenue", problems)
        if revenue is not None:
            values["annual_revenue"] = revenue
            if revenue < 0:
                problems.append(
                    (self.header_of("annual_revenue"), _constraint_message(Account, "account_revenue_not_negative"))
                )
        owner_id = self._owner(row, problems)
        values["owner_id"] = owner_id or values.get("owner_id") or self.actor.pk
        if not values.get("name"):
            problems.append((self.header_of("name"), "An account needs a name."))

    def _read_contact(
        self, row: Row, values: dict[str, Any], problems: list[tuple[str, str]], before: Any, accounts: Any
    ) -> None:
        self._text(row, values, "first_name", "last_name", "email", "phone", "title")
        full = str(self.cell(row, "full_name"))
        if full and not self.cell(row, "first_name") and not self.cell(row, "last_name"):
            first, _, last = full.rpartition(" ")
            values["first_name"], values["last_name"] = (first, last) if first else ("", last)
        account_id = self._account(row, accounts, problems)
        values["account_id"] = account_id or values.get("account_id")
        if not values.get("account_id") and not problems:
            problems.append((self.header_of("account"), "A contact needs its account."))
        if not values.get("last_name") and not values.get("first_name"):
            problems.append(
                (self.header_of("last_name" if "last_name" in self.columns else "full_name"), "A contact needs a name.")
            )

    def _read_opportunity(
        self, row: Row, values: dict[str, Any], problems: list[tuple[str, str]], before: Any, accounts: Any
    ) -> None:
        self._text(row, values, "name", "next_step")
        account_id = self._account(row, accounts, problems)
        values["account_id"] = account_id or values.get("account_id")
        amount, symbol_currency = self._decimal(row, "amount", problems)
        if amount is not None:
            values["amount"] = amount
            if amount < 0:
                problems.append(
                    (self.header_of("amount"), _constraint_message(Opportunity, "opportunity_amount_not_negative"))
                )
        currency = (
            str(self.cell(row, "currency")).upper()
            or symbol_currency
            or (values.get("currency") if before else "")
            or self.home
        )
        values["currency"] = currency
        close_date = self.cell(row, "close_date")
        if close_date != "":
            try:
                values["close_date"] = parse_date(close_date, date_format=self.job.date_format)
            except ValueError as error:
                problems.append((self.header_of("close_date"), str(error)))
        stage = self._stage(row, problems)
        old_stage_id = before["stage_id"] if before else None
        if stage is not None:
            values["stage_id"] = stage.pk
        stage = self.stage_by_id.get(values.get("stage_id") or 0)
        moved = stage is not None and stage.pk != old_stage_id
        probability, _ = self._decimal(row, "probability", problems)
        if probability is not None:
            values["probability"] = int(probability)
            if not 0 <= probability <= 100:
                problems.append(
                    (self.header_of("probability"), _constraint_message(Opportunity, "opportunity_probability_range"))
                )
        elif moved and stage is not None:
            values["probability"] = stage.default_probability
        category = self._choice(row, "forecast_category", problems)
        if category:
            values["forecast_category"] = category
        elif moved and stage is not None:
            values["forecast_category"] = stage.forecast_category
        for name in ("type", "lead_source"):
            if (choice := self._choice(row, name, problems)) is not None:
                values[name] = choice
        owner_id = self._owner(row, problems)
        values["owner_id"] = owner_id or values.get("owner_id") or self.actor.pk
        for name, message in (
            ("account_id", "A deal needs its account."),
            ("name", "A deal needs a name."),
            ("amount", "A deal needs an amount."),
            ("stage_id", "A deal needs a stage."),
            ("close_date", "A deal needs a close date."),
        ):
            if values.get(name) in (None, "") and not any(
                c == self.header_of(name.removesuffix("_id")) for c, _ in problems
            ):
                problems.append((self.header_of(name.removesuffix("_id")), message))
        if len(currency) != 3 or not currency.isalpha():
            problems.append((self.header_of("currency"), _constraint_message(Opportunity, "opportunity_currency_iso")))
        if problems:
            return
        values["amount_home"] = self._home(values["amount"], currency, values["close_date"], problems)
        if stage is not None and stage.is_lost and stage.loss_reason_required and not values.get("loss_reason"):
            # The file says the deal was lost but not why; the deal page asks for the reason later.
            values["loss_reason"] = Opportunity.LossReason.OTHER
        if stage is not None and stage.is_closed:
            values["closed_at"] = (before or {}).get("closed_at") or self.now
        else:
            values["closed_at"] = None
        values["created_at"] = (before or {}).get("created_at") or self.now
        values["last_activity_at"] = (before or {}).get("last_activity_at") or self.now
        if before is not None and moved:
            values["meta"] = {"from_stage_id": old_stage_id}

    def _stage(self, row: Row, problems: list[tuple[str, str]]) -> Stage | None:
        value = str(self.cell(row, "stage"))
        if not value:
            return None
        if len(self.seen["stage"]) < 500:
            self.seen["stage"].add(value)
        stage_id = self.stage_map.get(value)
        if stage_id:
            stage = self.stage_by_id.get(stage_id)
        else:
            if value not in self.stage_cache:
                self.stage_cache[value] = stage_guess(value, self.stages)
            stage = self.stage_cache[value]
        if stage is None and str(self.cell(row, "is_closed")).lower() in TRUE:
            won = str(self.cell(row, "is_won")).lower() in TRUE
            stage = next((s for s in self.stages if (s.is_won if won else s.is_lost)), None)
        if stage is None:
            problems.append(
                (
                    self.header_of("stage"),
                    f"“{value}” is not mapped to a stage of Tandem: map it on the mapping screen.",
                )
            )
        return stage

    def _home(self, amount: Decimal, currency: str, on: datetime.date, problems: list[tuple[str, str]]) -> Decimal:
        if currency == self.home:
            return converted(amount, Decimal(1))
        days, rates = self.rates.get(currency, ([], []))
        at = bisect.bisect_right(days, on)
        if not at:
            problems.append(
                (
                    self.header_of("currency"),
                    f"No exchange rate from {currency} to {self.home} on or before {on}: add one first.",
                )
            )
            raise RowProblems(problems)
        return converted(amount, rates[at - 1])


def _among(model: type[Model], column: str, values: Iterable[str]) -> Q | RawSQL:
    """`column IN values` for a batch's 2,000 external ids: on PostgreSQL one array parameter, as
    2,000 placeholders cost more to build and parse (Django's and psycopg's Python) than the query."""
    values = list(values)
    if connection.vendor != "postgresql":
        return Q(**{f"{column}__in": values})
    return RawSQL(f'"{model._meta.db_table}"."{column}" = ANY(%s)', [values], output_field=models.BooleanField())


def _passes(model_field: models.Field[Any, Any]) -> Callable[[Any], bool]:
    """A quick test that says True only of a value `clean` would accept (a non-empty value already of
    the field's type, within its validators), without the exceptions `clean` raises and catches on
    the way: the check runs it on every cell, and falls back to `clean` (its messages) when False."""
    if model_field.choices:
        return lambda value: False  # choices have their own cache of verdicts
    kinds = {type(v) for v in model_field.validators}
    if isinstance(model_field, models.CharField) and not isinstance(model_field, models.EmailField):
        if kinds <= {MaxLengthValidator}:
            limit = model_field.max_length or 0
            return lambda value: type(value) is str and 0 < len(value) <= limit
        return lambda value: False
    types: tuple[type, ...] = {
        "DecimalField": (Decimal,),
        "DateField": (datetime.date,),
        "DateTimeField": (datetime.datetime,),
        "IntegerField": (int,),
        "PositiveIntegerField": (int,),
        "PositiveSmallIntegerField": (int,),
        "SmallIntegerField": (int,),
        "BigIntegerField": (int,),
    }.get(model_field.get_internal_type(), ())
    if not types or not kinds <= {DecimalValidator, MinValueValidator, MaxValueValidator}:
        return lambda value: False
    validators = model_field.validators

    def passes(value: Any) -> bool:
        if type(value) not in types:
            return False
        if type(value) is Decimal and not value.is_finite():
            return False
        try:
            for validator in validators:
                validator(value)
        except ValidationError:
            return False
        return True

    return passes


def _refusals(model_field: models.Field[Any, Any], value: Any) -> list[str]:
    """What the field's own validation says of the value (`clean_fields`, one field): nothing when valid."""
    try:
        model_field.clean(value, None)
    except ValidationError as error:
        return error.messages
    return []


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value
