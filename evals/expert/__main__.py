import sys

from evals.expert.runner import main

sys.exit(main())
