"""``python -m mapback``: see :mod:`mapback.cli`."""

from __future__ import absolute_import

import sys

from mapback.cli import main

if __name__ == "__main__":
    sys.exit(main())
