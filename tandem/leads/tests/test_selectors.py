import pytest

from tandem.core.roles import Role
from tandem.leads.selectors import lead_changeable, lead_visible
from tandem.leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(rep, other_rep, outsider_rep):
    return {
        "own": LeadFactory(owner=rep),
        "teammate": LeadFactory(owner=other_rep),
        "other_team": LeadFactory(owner=outsider_rep),
    }


SEES = {
    Role.REP: {"own"},
    Role.SALES_MANAGER: {"own", "teammate"},
    Role.PRODUCT_MANAGER: set(),
    Role.ENGINEERING_LEAD: set(),
    Role.EXECUTIVE: {"own", "teammate", "other_team"},
    Role.ADMIN: {"own", "teammate", "other_team"},
}
CHANGES = {**SEES, Role.EXECUTIVE: set()}


@pytest.mark.parametrize("role", list(Role))
def test_who_sees_and_changes_which_lead(user_with_role, leads, role):
    user = user_with_role(role)
    names = {lead.pk: name for name, lead in leads.items()}
    assert {names[pk] for pk in lead_visible(user=user).values_list("pk", flat=True)} == SEES[role]
    assert {names[pk] for pk in lead_changeable(user=user).values_list("pk", flat=True)} == CHANGES[role]
