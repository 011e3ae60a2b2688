"""`python -m service` is `test-data-agent`."""

import sys

from service.cli import main

sys.exit(main())
