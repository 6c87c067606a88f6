"""`python -m analysis`."""

import sys

from analysis.commands import main

sys.exit(main())
