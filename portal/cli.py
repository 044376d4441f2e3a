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


def demo_data(settings: Settings, only_if_empty: bool) -> None:
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


def show_settings(settings: Settings) -> None:
    for variable, value, meaning in settings.described():
        print(f"{variable}={value}\n    {meaning}")


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run(
        "portal.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        access_log=False,
        log_level="info",
    )


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
    commands.add_parser("settings", help="print every setting with its value (secrets masked)")
    args = parser.parse_args(argv)

    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"portal: setting error: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        serve(settings, args.host, args.port, args.workers)
    elif args.command == "db":
        db_upgrade(settings)
    elif args.command == "demo-data":
        demo_data(settings, only_if_empty=args.if_empty)
    elif args.command == "settings":
        show_settings(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
