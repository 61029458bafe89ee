"""``python -m console`` is ``hotline``."""

import sys

from console.cli import hotline

sys.exit(hotline())
