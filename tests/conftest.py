"""Property tests run the same examples on every run, so a CI result can be repeated;
HYPOTHESIS_PROFILE=explore draws new ones (and more of them) when hunting bugs."""

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
