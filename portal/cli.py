"""The `portal` command: serve, db upgrade, demo-data, settings."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from portal.settings import Settings, SettingsError


def alembic_config(settings: Settings):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    return config


def db_upgrade(settings: Settings) -> None:
    from alembic import command

    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    command.upgrade(alembic_config(settings), "head")


def demo_data(settings: Settings, only_if_empty: bool, scale: int, seed: int) -> None:
    from portal.db import Database
    from portal.demo import load_demo_data

    async def run() -> None:
        database = Database(settings.database_url)
        try:
            loaded = await load_demo_data(database, settings, only_if_empty=only_if_empty)
        finally:
            await database.dispose()
        print("demo data loaded" if loaded else "database already has data; demo data skipped")

    asyncio.run(run())
    if scale:
        import time

        from portal.demo.scale import add_scaled_data

        started = time.monotonic()
        counts = add_scaled_data(settings, scale, seed)
        if counts is None:
            print("database already has the generated participants; --scale skipped")
            return
        rows = ", ".join(f"{table} {count}" for table, count in sorted(counts.items()))
        print(f"{scale} participants generated in {time.monotonic() - started:.0f} s: {rows}")


def api_client(settings: Settings, action: str, name: str, scopes: list[str]) -> int:
    from portal.auth.api_clients import ApiClientError, create_api_client, revoke_api_client
    from portal.db import Database

    async def run() -> str:
        database = Database(settings.database_url)
        try:
            async with database.transaction() as db:
                if action == "create":
                    return await create_api_client(db, name, scopes)
                await revoke_api_client(db, name)
                return f"revoked {name}"
        finally:
            await database.dispose()

    try:
        result = asyncio.run(run())
    except ApiClientError as exc:
        print(f"portal: {exc}", file=sys.stderr)
        return 1
    if action == "create":
        print(f"API client {name} created with {' '.join(sorted(set(scopes)))}.")
        print("Its bearer token (shown only now):")
    print(result)
    return 0


def occupations(settings: Settings, action: str, path: str | None, only_if_empty: bool) -> int:
    from portal.db import Database
    from portal.occupations.listfile import DEFAULT_LIST, ListFormatError, derive_from_esco
    from portal.occupations.service import import_file

    if action == "derive-esco":
        if not path:
            print("portal: give the folder of the ESCO CSV files", file=sys.stderr)
            return 2
        DEFAULT_LIST.write_bytes(derive_from_esco(Path(path)))
        print(f"wrote {DEFAULT_LIST}")
        return 0

    async def run() -> int | None:
        database = Database(settings.database_url)
        try:
            return await import_file(database, Path(path) if path else DEFAULT_LIST, only_if_empty)
        finally:
            await database.dispose()

    try:
        count = asyncio.run(run())
    except (ListFormatError, OSError) as exc:
        print(f"portal: the occupation list could not be loaded: {exc}", file=sys.stderr)
        return 1
    print("occupation list already loaded" if count is None else f"{count} occupations loaded")
    return 0


def show_settings(settings: Settings) -> None:
    for variable, value, meaning in settings.described():
        print(f"{variable}={value}\n    {meaning}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portal", description="The participant portal.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="serve the portal over HTTP")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8000)
    serve_parser.add_argument("--workers", type=int, default=1)
    db_parser = commands.add_parser("db", help="database schema")
    db_parser.add_argument("action", choices=["upgrade"])
    demo_parser = commands.add_parser("demo-data", help="load the demo personas' data")
    demo_parser.add_argument(
        "--if-empty", action="store_true", help="only when the database has no participants"
    )
    demo_parser.add_argument(
        "--scale",
        type=int,
        default=0,
        metavar="N",
        help="also N generated participants with plans, hours, meetings and access logs",
    )
    demo_parser.add_argument("--seed", type=int, default=1, help="the generated data's seed")
    commands.add_parser("settings", help="print every setting with its value (secrets masked)")
    worker_parser = commands.add_parser("worker", help="send what waits in the outbox")
    worker_parser.add_argument("--once", action="store_true", help="one round, then stop")
    worker_parser.add_argument("--interval", type=float, default=5.0, help="seconds between rounds")
    client_parser = commands.add_parser("api-client", help="API clients (case systems)")
    client_parser.add_argument("action", choices=["create", "revoke"])
    client_parser.add_argument("name")
    client_parser.add_argument(
        "--scope",
        action="append",
        default=[],
        dest="scopes",
        help="create: what the client may do, once or more: plan:write (push plans), "
        "exports:read (export consented hour histories)",
    )
    occupations_parser = commands.add_parser("occupations", help="the occupation list")
    occupations_parser.add_argument("action", choices=["import", "derive-esco"])
    occupations_parser.add_argument(
        "path",
        nargs="?",
        help="import: a list file (default: the shipped ESCO list); "
        "derive-esco: the folder of ESCO's CSV files",
    )
    occupations_parser.add_argument(
        "--if-empty", action="store_true", help="import only when no list is loaded yet"
    )
    args = parser.parse_args(argv)

    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"portal: setting error: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        from portal.serving import serve

        return serve(args.host, args.port, args.workers)
    elif args.command == "db":
        db_upgrade(settings)
    elif args.command == "demo-data":
        demo_data(settings, args.if_empty, args.scale, args.seed)
    elif args.command == "settings":
        show_settings(settings)
    elif args.command == "worker":
        import logging

        from portal.notify.worker import run_worker

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        asyncio.run(run_worker(settings, once=args.once, interval=args.interval))
    elif args.command == "api-client":
        return api_client(settings, args.action, args.name, args.scopes)
    elif args.command == "occupations":
        return occupations(settings, args.action, args.path, args.if_empty)
    return 0


if __name__ == "__main__":
    sys.exit(main())
