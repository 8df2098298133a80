import re

import factory
from django.utils import timezone

from tandem.leads.models import Lead
from tandem.people.tests.factories import RepFactory


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


class LeadFactory(factory.django.DjangoModelFactory[Lead]):
    """A new lead from inbound; `qualified`/`converted` states are set by the services in tests that
    need them, or given with their dates."""

    class Meta:
        model = Lead

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda lead: f"{_slug(lead.first_name)}@{_slug(lead.company) or 'company'}.example")
    company = factory.Faker("company")
    source = Lead.Source.INBOUND
    owner = factory.SubFactory(RepFactory)
    created_at = factory.LazyFunction(timezone.now)
