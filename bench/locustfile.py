"""The users of the load-with-faults run (bench/faults.py starts Locust with this file).

Four kinds of user on the large workspace, each signed in as a real seeded user (a session cookie
for pages, a personal token for the API, prepared by bench/faults.py in the plan file):

- reps log asks on their own open deals through the API and open those deals' pages: the writes
  whose acknowledgements are recorded, so the run can prove none was lost;
- sales managers list one of their reps' open deals (page and API) and open their home page;
- product managers sort the features by revenue at stake, open the triage inbox (page and API);
- the executive opens accounts (page and API) and the pipeline dashboard.

Every request is appended to the events file (time, name, status, latency, error kind), and every
acknowledged ask (201 with its id) to the acknowledgements file, each line flushed at once.
"""

import itertools
import json
import os
import random
import threading
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["FAULTS_PLAN"]).read_text())
_events = Path(os.environ["FAULTS_EVENTS"]).open("a", buffering=1)  # noqa: SIM115 - open for the run
_acks = Path(os.environ["FAULTS_ACKS"]).open("a", buffering=1)  # noqa: SIM115
_lock = threading.Lock()
_numbers = itertools.count(1)
_principals = {role: itertools.cycle(PLAN["principals"][role]) for role in PLAN["principals"]}


def _kind(response: Any, exception: BaseException | None) -> str | None:
    if exception is not None and (response is None or not response.status_code):
        return type(exception).__name__
    if response is not None and response.status_code >= 400:
        return f"HTTP {response.status_code}"
    if exception is not None:
        return type(exception).__name__
    return None


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, response: Any, exception: Any, **kw: Any) -> None:
    entry = {
        "t": round(time.time(), 3),
        "name": name,
        "ms": round(response_time, 1),
        "status": getattr(response, "status_code", 0) or 0,
        "error": _kind(response, exception),
    }
    with _lock:
        _events.write(json.dumps(entry) + "\n")


# Think time between two actions of one user: with 80 users about 30-40 requests a second are
# offered, near what two cores serve, so queues form without the server being hopelessly behind.
THINK = between(1, 3)


class Rep(HttpUser):
    weight = 6
    wait_time = THINK

    def on_start(self) -> None:
        self.me = next(_principals["rep"])
        self.page = {"Cookie": self.me["cookie"]}
        self.api = {"Authorization": f"Bearer {self.me['token']}", "Accept": "application/json"}

    @task(2)
    def log_an_ask(self) -> None:
        deal = random.choice(self.me["deals"])
        number = next(_numbers)
        need = f"{PLAN['marker']} #{number}: needs SSO before they sign"
        body = {"account_id": deal["account"], "opportunity_id": deal["id"], "need": need, "importance": "blocker"}
        started = time.time()
        with self.client.post(
            "/api/asks", json=body, headers=self.api, name="api: log an ask", catch_response=True
        ) as response:
            if response.status_code == 201:
                ask_id = response.json()["id"]
                with _lock:
                    _acks.write(json.dumps({"id": ask_id, "need": need, "t": round(time.time(), 3)}) + "\n")
                response.success()
            else:
                # Not acknowledged: it may or may not have been written (the answer can be lost after
                # the commit). The run reports how many of these are in the database anyway.
                with _lock:
                    _acks.write(json.dumps({"id": None, "need": need, "t": round(started, 3)}) + "\n")
                response.failure(f"HTTP {response.status_code}")

    @task(1)
    def open_a_deal(self) -> None:
        deal = random.choice(self.me["deals"])
        self.client.get(f"/pipeline/opportunities/{deal['id']}/", headers=self.page, name="page: deal")


class SalesManager(HttpUser):
    weight = 5
    wait_time = THINK

    def on_start(self) -> None:
        self.me = next(_principals["sales_manager"])
        self.page = {"Cookie": self.me["cookie"]}
        self.api = {"Authorization": f"Bearer {self.me['token']}", "Accept": "application/json"}

    def _query(self) -> str:
        return f"owner={random.choice(self.me['reps'])}&stage={random.choice(PLAN['open_stages'])}"

    @task(2)
    def deal_list(self) -> None:
        self.client.get(f"/pipeline/opportunities/?{self._query()}", headers=self.page, name="page: deal list")

    @task(2)
    def deal_list_api(self) -> None:
        self.client.get(f"/api/opportunities?{self._query()}", headers=self.api, name="api: deal list")

    @task(1)
    def home(self) -> None:
        self.client.get("/", headers=self.page, name="page: home")


class ProductManager(HttpUser):
    weight = 6
    wait_time = THINK

    def on_start(self) -> None:
        self.me = next(_principals["product_manager"])
        self.page = {"Cookie": self.me["cookie"]}
        self.api = {"Authorization": f"Bearer {self.me['token']}", "Accept": "application/json"}

    @task(2)
    def features(self) -> None:
        self.client.get("/product/features/?sort=-open_pipeline", headers=self.page, name="page: features")

    @task(1)
    def features_api(self) -> None:
        self.client.get("/api/features?sort=-open_pipeline", headers=self.api, name="api: features")

    @task(2)
    def inbox(self) -> None:
        self.client.get("/asks/inbox/?sort=-created", headers=self.page, name="page: triage inbox")

    @task(1)
    def inbox_api(self) -> None:
        self.client.get("/api/asks?status=new&order=newest", headers=self.api, name="api: new asks")


class Executive(HttpUser):
    weight = 3
    wait_time = THINK

    def on_start(self) -> None:
        self.me = next(_principals["executive"])
        self.page = {"Cookie": self.me["cookie"]}
        self.api = {"Authorization": f"Bearer {self.me['token']}", "Accept": "application/json"}

    @task(2)
    def account(self) -> None:
        account = random.choice(PLAN["accounts"])
        self.client.get(f"/pipeline/accounts/{account}/", headers=self.page, name="page: account")

    @task(2)
    def account_api(self) -> None:
        self.client.get(f"/api/accounts/{random.choice(PLAN['accounts'])}", headers=self.api, name="api: account")

    @task(1)
    def dashboard(self) -> None:
        self.client.get("/dashboards/", headers=self.page, name="page: dashboard")
