import factory

from tandem.core.api import token_digest, token_generate
from tandem.core.roles import Role
from tandem.people.models import ApiToken, Team, Territory, User


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Territory {n}")
    region = "EMEA"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    kind = Team.Kind.SALES


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.REP
    password = factory.django.Password("correct-horse-battery")


class RepFactory(UserFactory):
    role = Role.REP


class SalesManagerFactory(UserFactory):
    role = Role.SALES_MANAGER


class ProductManagerFactory(UserFactory):
    role = Role.PRODUCT_MANAGER


class ApiTokenFactory(factory.django.DjangoModelFactory[ApiToken]):
    """A personal token. Like the real thing, it keeps only the digest of its key."""

    class Meta:
        model = ApiToken

    class Params:
        key = factory.LazyFunction(token_generate)

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Script {n}")
    prefix = factory.LazyAttribute(lambda t: t.key[:12])
    digest = factory.LazyAttribute(lambda t: token_digest(t.key))
