"""The standing hostile-input suite (issue #12): servers that misbehave, files that
are damaged, requests that are malformed, and several writers on one home.

Each module here is self-contained (pytest runs with --import-mode=importlib), and
everything they start listens on 127.0.0.1 only. Shared fixtures come from
tests/conftest.py (`home`, `archive`, `sample_site`).
"""

import sys
from pathlib import Path

# The several-writers tests share their stories (writer_stories.py); importlib mode
# puts no test folder on the path, and spawned writer processes inherit this one.
sys.path.insert(0, str(Path(__file__).parent))
