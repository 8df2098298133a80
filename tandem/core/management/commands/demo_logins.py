"""`manage.py demo_logins`: the fixed logins of a seeded workspace, one per role."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from tandem.people.models import User
from tandem.seed.scales import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo logins (one per role) with their password and the URL to open."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="Where the app is served.")

    def handle(self, *args: Any, **options: Any) -> None:
        present = set(
            User.objects.filter(username__in=[login.username for login in DEMO_LOGINS]).values_list(
                "username", flat=True
            )
        )
        if not present:
            self.stdout.write("No demo logins here: run `manage.py seed --scale demo` first.")
            return
        self.stdout.write(f"Open {options['url']} and sign in as one of:\n")
        self.stdout.write(f"  {'username':<10}{'role':<20}{'name':<18}password")
        for login in DEMO_LOGINS:
            if login.username in present:
                name = f"{login.first_name} {login.last_name}"
                self.stdout.write(f"  {login.username:<10}{login.role.label:<20}{name:<18}{DEMO_PASSWORD}")
        self.stdout.write("\nThe password is for demos only; every seeded user shares it.")
