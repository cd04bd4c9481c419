#!/usr/bin/env python3
"""Fetch the Vazirmatn web font for the reading room (optional; never fails setup).

Takes npm's `@fontsource/vazirmatn` package: through `npm pack` when npm is
installed, else straight from the npm registry's tarball URL with urllib (the
tarball's sha512 integrity is checked). A few woff2 files (Arabic and Latin
subsets, weights 400 and 700), the package's LICENSE and a `fonts.css` with the
matching @font-face rules go to src/vazeh/web/static/fonts/ (gitignored), which
the app serves itself; no page ever loads a font from a CDN. When anything goes
wrong the script prints a note and exits 0: the pages fall back to system fonts
(Tahoma, Noto Naskh Arabic, DejaVu Sans).

    python scripts/fetch_font.py [--force]
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

PACKAGE = "@fontsource/vazirmatn"
REGISTRY = "https://registry.npmjs.org/@fontsource%2Fvazirmatn/latest"
ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / "src" / "vazeh" / "web" / "static" / "fonts"
SUBSETS = ("arabic", "latin")
WEIGHTS = ("400", "700")
WANTED = [f"vazirmatn-{s}-{w}-normal.woff2" for s in SUBSETS for w in WEIGHTS]
MAX_TARBALL = 20 << 20


def note(message: str) -> None:
    print(f"fetch_font: {message}", flush=True)


def tarball_with_npm(workdir: Path) -> bytes | None:
    npm = shutil.which("npm")
    if npm is None:
        return None
    try:
        out = subprocess.run(
            [npm, "pack", PACKAGE, "--silent"], cwd=workdir, capture_output=True, text=True, timeout=180, check=True
        )
    except (subprocess.SubprocessError, OSError) as e:
        note(f"npm pack failed ({e}); trying the registry directly")
        return None
    name = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    path = workdir / name
    return path.read_bytes() if name and path.exists() else None


def tarball_from_registry() -> bytes:
    with urllib.request.urlopen(REGISTRY, timeout=60) as r:
        meta = json.load(r)
    dist = meta["dist"]
    with urllib.request.urlopen(dist["tarball"], timeout=120) as r:
        data = r.read(MAX_TARBALL + 1)
    if len(data) > MAX_TARBALL:
        raise ValueError("the tarball is larger than expected")
    integrity = dist.get("integrity", "")
    if integrity.startswith("sha512-"):
        digest = base64.b64encode(hashlib.sha512(data).digest()).decode()
        if digest != integrity[7:]:
            raise ValueError("the tarball does not match the registry's sha512 integrity")
    return data


def font_faces(css_by_weight: dict[str, str]) -> str:
    """The package's @font-face rules for the subsets kept, pointing at the copied files."""
    out = ["/* Vazirmatn (SIL Open Font License 1.1, see Vazirmatn-LICENSE.txt), from npm's @fontsource/vazirmatn */"]
    for css in css_by_weight.values():
        for block in re.findall(r"@font-face\s*{[^}]*}", css):
            m = re.search(r"vazirmatn-([a-z-]+)-(\d+)-normal\.woff2", block)
            if not m or m.group(1) not in SUBSETS:
                continue
            block = re.sub(r"src:[^;]*;", f"src: url({m.group(0)}) format('woff2');", block)
            out.append(block)
    return "\n".join(out) + "\n"


def install(tarball: bytes) -> None:
    css: dict[str, str] = {}
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("package/")
            if not member.isfile():
                continue
            if name in (f"{w}.css" for w in WEIGHTS):
                css[name] = tar.extractfile(member).read().decode()  # type: ignore[union-attr]
            elif name.startswith("files/") and name[6:] in WANTED or name == "LICENSE":
                files[name.removeprefix("files/")] = tar.extractfile(member).read()  # type: ignore[union-attr]
    missing = [w for w in WANTED if w not in files]
    if missing:
        raise ValueError(f"the package lacks {', '.join(missing)}")
    faces = font_faces(css)
    if faces.count("@font-face") != len(WANTED):
        raise ValueError("the package's CSS does not describe the expected subsets")
    DEST.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        # The licence travels with the fonts; .txt so package data picks it up too.
        (DEST / ("Vazirmatn-LICENSE.txt" if name == "LICENSE" else name)).write_bytes(data)
    # Written last: the app links fonts.css only when it exists, so a half-copied set is never used.
    (DEST / "fonts.css").write_text(faces, encoding="utf-8")


def main(argv: list[str]) -> int:
    if "--force" not in argv and (DEST / "fonts.css").exists() and all((DEST / w).exists() for w in WANTED):
        note(f"Vazirmatn already in {DEST}")
        return 0
    try:
        with tempfile.TemporaryDirectory() as tmp:
            data = tarball_with_npm(Path(tmp))
            how = "npm pack"
            if data is None:
                data, how = tarball_from_registry(), "the npm registry"
            install(data)
        note(f"Vazirmatn installed from {how} into {DEST}")
    except Exception as e:  # noqa: BLE001 - setup must go on; the pages fall back to system fonts
        note(f"could not fetch Vazirmatn ({e}); the reading room will use system fonts")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
