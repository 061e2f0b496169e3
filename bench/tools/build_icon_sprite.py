"""Build static/vendor/bootstrap-icons/sprite.svg: one <symbol> per Bootstrap Icon the pages use, and nothing else.

    cd /tmp && npm pack bootstrap-icons@1.13.2 && tar xzf bootstrap-icons-1.13.2.tgz   # once, outside the project
    .venv/bin/python bench/tools/build_icon_sprite.py /tmp/package/icons

The names come from the code: ``{% icon "name" %}`` in templates, ``icon_svg("name")`` in Python, ``icon="name"``
in the menus (core/menu.py and each app's menu.py) and the MenuItem default. core/tests/test_icons.py checks that
every name used is in the sprite, so adding an icon means running this again. Run by hand, never by make.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPRITE = ROOT / "static" / "vendor" / "bootstrap-icons" / "sprite.svg"
SKIP = {".venv", "staticfiles", "node_modules", ".git", "var", "tests"}
PATTERNS = [
    re.compile(r"""\{%\s*icon\s+["']([a-z0-9-]+)["']"""),  # templates
    re.compile(r"""icon_svg\(\s*["']([a-z0-9-]+)["']"""),  # HTML built in Python
    re.compile(r"""\bicon\s*(?::\s*str\s*)?=\s*["']([a-z0-9-]+)["']"""),  # MenuItem(icon="…") and its default
]


def used_icons(root: Path = ROOT) -> set[str]:
    names = set()
    for path in root.rglob("*"):
        if path.suffix not in (".html", ".py") or SKIP.intersection(path.relative_to(root).parts):
            continue
        if path.name == "build_icon_sprite.py":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for pattern in PATTERNS:
            names.update(pattern.findall(text))
    return names


def symbol(name: str, source: Path) -> str:
    svg = source.read_text(encoding="utf-8")
    view_box = re.search(r'viewBox="([^"]+)"', svg).group(1)
    inner = re.search(r"<svg[^>]*>(.*)</svg>", svg, re.S).group(1)
    inner = re.sub(r">\s+<", "><", inner.strip())
    return '<symbol id="%s" viewBox="%s">%s</symbol>' % (name, view_box, inner)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    icons = Path(argv[1])
    names = sorted(used_icons())
    missing = [name for name in names if not (icons / (name + ".svg")).exists()]
    if missing:
        print("not in %s: %s" % (icons, ", ".join(missing)))
        return 1
    body = "".join(symbol(name, icons / (name + ".svg")) for name in names)
    SPRITE.write_text('<svg xmlns="http://www.w3.org/2000/svg">\n<!-- Bootstrap Icons v1.13.2 (MIT, see LICENSE): '
                      'only the icons the pages use; bench/tools/build_icon_sprite.py -->\n%s\n</svg>\n' % body,
                      encoding="utf-8")
    print("%d icons, %d bytes -> %s" % (len(names), SPRITE.stat().st_size, SPRITE.relative_to(ROOT)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
