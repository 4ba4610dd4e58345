"""The application role on PostgreSQL: what the web and worker processes may do, granted by the owner role.

Migrations run as the owner of the tables (ANWEI_MIGRATE_DATABASE_URL); the processes connect as a role that owns
nothing (DATABASE_URL). Owning nothing, it cannot ALTER or DROP a table nor switch a trigger off; the grants below
give it the rows it needs and no more: on the audit log only reading and appending (and moving the head and the day's
checkpoint forward, which the triggers of audit migrations 0002–0005 keep append-only and growing). Re-run after
every `migrate` (new tables): `python -m anwei pg-roles --app-role anwei_app`."""

from django.db import connection
from psycopg import sql as psycopg_sql

from .models import AuditCheckpoint, AuditEntry, AuditHead

# table → the only privileges the application role has on it (every other table: SELECT, INSERT, UPDATE, DELETE)
APPEND_ONLY = {
    AuditEntry._meta.db_table: "SELECT, INSERT",
    AuditHead._meta.db_table: "SELECT, INSERT, UPDATE",
    AuditCheckpoint._meta.db_table: "SELECT, INSERT, UPDATE",
}


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a plain role name: {name!r}")
    return f'"{name}"'


def grant_statements(app_role: str, database: str) -> list[str]:
    """The SQL that creates (if needed) and grants the application role, for the owner to run."""
    role = _ident(app_role)
    tables = ", ".join(_ident(t) for t in APPEND_ONLY)
    return [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{app_role}') THEN "
        f"CREATE ROLE {role} LOGIN; END IF; END $$",
        f"ALTER ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {_ident(database)} TO {role}",
        f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"REVOKE ALL ON {tables} FROM {role}",
        *(f"GRANT {rights} ON {_ident(table)} TO {role}" for table, rights in APPEND_ONLY.items()),
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    ]


def grant(app_role: str, password: str | None = None, using: object = None) -> list[str]:
    """Run the statements on the configured database (connected as its owner); returns them. With a password, the
    role's password is set too (quoted by the client, never in the returned text)."""
    conn = using or connection
    # the ignore below: `using` is a Django connection (typed object to keep this module free of backends)
    statements = grant_statements(app_role, conn.settings_dict["NAME"])  # type: ignore[attr-defined]
    # the ignore below: `using` is a Django connection (typed object to keep this module free of backends)
    with conn.cursor() as cursor:  # type: ignore[attr-defined]
        for sql in statements:
            cursor.execute(sql)
        if password:  # a utility statement takes no server-side parameter: the client quotes the literal
            literal = psycopg_sql.Literal(password).as_string(cursor.connection)
            cursor.execute(f"ALTER ROLE {_ident(app_role)} PASSWORD {literal}")
    return statements
