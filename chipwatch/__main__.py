from __future__ import annotations

import sys

from chipwatch.cli import main

sys.exit(main())
