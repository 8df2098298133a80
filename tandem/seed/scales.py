"""How much the generator makes at each scale, and the fixed demo logins."""

from dataclasses import dataclass

from tandem.core.roles import Role


@dataclass(frozen=True)
class Scale:
    name: str
    sales_teams: int
    reps_per_team: int
    product_managers: int
    engineering_leads: int
    executives: int
    admins: int
    products: int
    goals: int
    accounts: int
    opportunities: int
    features: int
    asks: int
    escalations: int  # of declined asks, by sales managers; the demo stages its own as well
    max_contacts_per_account: int
    leads: int  # some converted into the new-business deals, the rest at every earlier step

    @property
    def users(self) -> int:
        return (
            self.sales_teams * (1 + self.reps_per_team)
            + self.product_managers
            + self.engineering_leads
            + self.executives
            + self.admins
        )


SCALES = {
    "demo": Scale(
        name="demo",
        sales_teams=4,
        reps_per_team=3,
        product_managers=2,
        engineering_leads=1,
        executives=1,
        admins=1,
        products=3,
        goals=6,
        accounts=150,
        opportunities=600,
        features=80,
        asks=400,
        escalations=6,
        max_contacts_per_account=3,
        leads=400,
    ),
    # The size the product brief promises to serve on one modest server.
    "large": Scale(
        name="large",
        sales_teams=200,
        reps_per_team=8,
        product_managers=100,
        engineering_leads=80,
        executives=15,
        admins=5,
        products=5,
        goals=8,
        accounts=200_000,
        opportunities=1_000_000,
        features=20_000,
        asks=500_000,
        escalations=400,
        max_contacts_per_account=3,
        leads=1_200_000,  # issue 18: the funnel over more than a million
    ),
}

# Fine for a demo workspace on a laptop; never seed these into a real installation.
DEMO_PASSWORD = "tandem-demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    first_name: str
    last_name: str
    title: str


DEMO_LOGINS = (
    DemoLogin("rep", Role.REP, "Rita", "Ramos", "Account Executive"),
    DemoLogin("manager", Role.SALES_MANAGER, "Sam", "Okafor", "Regional Sales Manager"),
    DemoLogin("pm", Role.PRODUCT_MANAGER, "Pia", "Lindqvist", "Group Product Manager"),
    DemoLogin("eng", Role.ENGINEERING_LEAD, "Eli", "Nakamura", "Engineering Lead"),
    DemoLogin("exec", Role.EXECUTIVE, "Eve", "Carter", "Chief Revenue Officer"),
    DemoLogin("admin", Role.ADMIN, "Ada", "Brennan", "Sales Operations Admin"),
)
