"""The two kinds of benchmark client: one over HTTP to gunicorn, one over psycopg to PostgreSQL."""

import http.client
from dataclasses import dataclass
from typing import Any

import psycopg


@dataclass(frozen=True)
class HttpJob:
    path: str
    headers: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return f"GET {self.path}"


@dataclass(frozen=True)
class SqlJob:
    """The statements that produce the same answer as one request, run in order on one connection."""

    statements: tuple[tuple[str, dict[str, Any]], ...]

    def __str__(self) -> str:
        return f"SQL {self.statements[0][1]}"


class BadStatus(Exception):
    pass


class HttpClient:
    """One keep-alive connection; any answer but 200 is an error."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=60)

    def call(self, job: HttpJob) -> int:
        try:
            self.conn.request("GET", job.path, headers=dict(job.headers))
            response = self.conn.getresponse()
            body = response.read()
        except (http.client.HTTPException, OSError):
            # The server closed a kept-alive connection: reconnect for the next request.
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            raise
        if response.status != 200:
            raise BadStatus(f"HTTP {response.status}")
        return len(body)

    def close(self) -> None:
        self.conn.close()


class SqlClient:
    """One psycopg connection, as a web process would hold one."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True)

    def call(self, job: SqlJob) -> int:
        rows = 0
        with self.conn.cursor() as cursor:
            for statement, params in job.statements:
                cursor.execute(statement.encode(), params)
                rows += len(cursor.fetchall())
        return rows

    def close(self) -> None:
        self.conn.close()
