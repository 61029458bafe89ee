"""``python -m console`` is ``hotline``."""

import sys

from console.cli import main

sys.exit(main())
