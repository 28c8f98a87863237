"""Create the benchmark's PostgreSQL database when it does not exist yet.

The benchmarks are pointed at a database of their own (arrears_bench, say), which a
fresh machine does not have; Django cannot create it, so this connects to the
server's maintenance database and does.
"""

import os

import environ


def ensure_database() -> None:
    """Refuse to run without a database named in the environment: the settings would
    otherwise fall back on .env or the try-it SQLite file, and a bench writes to (and
    the seed bench replaces) what it is pointed at."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise SystemExit(
            "Set DATABASE_URL to a database of the benchmark's own, for example\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears_bench\n"
            "The benchmarks write to it, and bench/seed.py replaces everything in it."
        )
    if not url.startswith(("postgres://", "postgresql://")):
        return
    settings = environ.Env.db_url_config(url)
    import psycopg
    from psycopg import sql

    params = {
        "host": settings.get("HOST") or None,
        "port": settings.get("PORT") or None,
        "user": settings.get("USER") or None,
        "password": settings.get("PASSWORD") or None,
    }
    name = settings["NAME"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")
