"""``hotline schema events|snapshot``: the JSON Schema of an event file's line or of a feed's snapshot."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from console.cli.errors import EXIT_OK

if TYPE_CHECKING:
    from console.settings import Settings

__all__ = ["schema_arguments"]


def schema_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", choices=["events", "snapshot"], help="events: a line of an event file; snapshot: a feed's GET /snapshot")
    parser.set_defaults(handler=schema)


def schema(args: argparse.Namespace, settings: Settings) -> int:
    from console.core.events import event_json_schema
    from console.feeds.protocol import snapshot_json_schema

    printed = event_json_schema() if args.name == "events" else snapshot_json_schema()
    print(json.dumps(printed, ensure_ascii=False, indent=2, allow_nan=False))
    return EXIT_OK
