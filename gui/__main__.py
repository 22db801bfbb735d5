"""`python -m gui`: the same as the `flexml-studio` command."""

import sys

from .cli import main

sys.exit(main())
