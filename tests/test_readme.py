"""The README is what newcomers follow first: every file it points to must be in the repository."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Top-level folders of the repository; `data/...` paths are made at run time, not shipped.
SHIPPED = ("bot/", "storage/", "digests/", "render/", "language/", "tests/", "docs/", "bench/",
           "deploy/", "shared/", ".ci/")  # fmt: skip
# Files the README names as examples of where a future feature would go, not as existing ones.
FUTURE_EXAMPLES = {"storage/sources.py", "render/sources.py", "bot/handlers/sources.py"}


def test_every_repository_path_in_the_readme_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quoted = set(re.findall(r"`([^`\s]+)`", readme))
    paths = sorted(p for p in quoted if p.startswith(SHIPPED) and p not in FUTURE_EXAMPLES)
    assert "storage/seed.yaml" in paths  # the check itself sees the README's paths
    missing = [path for path in paths if not (ROOT / path).exists()]
    assert missing == []
