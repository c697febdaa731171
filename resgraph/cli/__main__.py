"""``python -m resgraph.cli``: the ``resgraph`` command."""

import sys

from resgraph.cli import main

sys.exit(main())
