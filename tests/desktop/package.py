#!/usr/bin/env python3
"""Checks the desktop app's Debian package: what dpkg will know about it (name, version,
dependencies that make `apt install ./file.deb` pull in WebKitGTK and the tray library), what it
installs (the program, a menu entry that starts it, icons), and that the packaged program runs.

Usage: package.py <file.deb>
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def field(deb, name):
    return subprocess.run(
        ["dpkg-deb", "--field", deb, name], capture_output=True, text=True, check=True
    ).stdout.strip()


def main(deb):
    config = json.loads((ROOT / "tauri.conf.json").read_text())
    assert field(deb, "Package") == "switchboard", field(deb, "Package")
    assert field(deb, "Version") == config["version"], field(deb, "Version")
    assert field(deb, "Architecture") == "amd64"
    depends = [d.strip() for d in field(deb, "Depends").split(",")]
    for needed in ["libwebkit2gtk-4.1-0", "libgtk-3-0", "libayatana-appindicator3-1"]:
        assert needed in depends, depends
    assert "gnome-keyring" in field(deb, "Recommends")
    assert field(deb, "Description").startswith(config["bundle"]["shortDescription"])

    with tempfile.TemporaryDirectory() as unpacked:
        subprocess.run(["dpkg-deb", "-x", deb, unpacked], check=True)
        root = Path(unpacked)
        program = root / "usr/bin/switchboard-desktop"
        assert program.is_file(), sorted(str(p) for p in root.rglob("*"))
        entry = (root / "usr/share/applications/Switchboard.desktop").read_text()
        assert "Exec=switchboard-desktop" in entry and "Name=Switchboard" in entry, entry
        icons = sorted(p.relative_to(root) for p in root.glob("usr/share/icons/hicolor/*/apps/*.png"))
        assert len(icons) >= 3, icons
        version = subprocess.run(
            [program, "--version"], capture_output=True, text=True, check=True
        ).stdout
        assert version.strip() == f"switchboard-desktop {config['version']}", version
    print(f"package: {Path(deb).name} checked")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
