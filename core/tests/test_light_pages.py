"""Pages stay light on a village phone: icons are inline SVG from one small sprite (no icon font), Bootstrap's CSS
is the purged file, and that file still has every Bootstrap class the templates and Python code use."""
import importlib.util
import re
from pathlib import Path

from django.template import Context, Template
from django.test import override_settings

from core.templatetags.ui import icon_svg

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "static" / "vendor"
SPRITE = VENDOR / "bootstrap-icons" / "sprite.svg"
SKIP = {".venv", "staticfiles", "node_modules", ".git", "var", "tests", "bench"}


def _builder():
    spec = importlib.util.spec_from_file_location("build_icon_sprite", ROOT / "bench" / "tools" / "build_icon_sprite.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _project_files(*suffixes):
    for path in ROOT.rglob("*"):
        if path.suffix in suffixes and not SKIP.intersection(path.relative_to(ROOT).parts):
            yield path


def test_every_icon_used_is_in_the_sprite():
    used = _builder().used_icons(ROOT)
    assert {"pencil", "bell", "speedometer2", "circle"} <= used  # templates, menus and the MenuItem default
    in_sprite = set(re.findall(r'<symbol id="([a-z0-9-]+)"', SPRITE.read_text(encoding="utf-8")))
    assert used - in_sprite == set(), "run bench/tools/build_icon_sprite.py (see its docstring)"


def test_no_icon_font_markup_is_left():
    left = [str(path.relative_to(ROOT)) for path in _project_files(".html", ".py")
            if re.search(r'class="bi bi-|bootstrap-icons\.(min\.)?css', path.read_text(encoding="utf-8"))]
    assert left == []


def test_the_icon_tag_renders_a_decorative_svg_pointing_into_the_sprite():
    html = Template('{% load ui %}{% icon "pencil" %}|{% icon name "me-1" %}').render(Context({"name": "bell"}))
    first, second = html.split("|")
    assert first == ('<svg class="bi" aria-hidden="true" focusable="false" width="1em" height="1em" '
                     'fill="currentColor"><use href="/static/vendor/bootstrap-icons/sprite.svg#pencil"></use></svg>')
    assert 'class="bi me-1"' in second and "sprite.svg#bell" in second
    assert "<script>" not in icon_svg('x"><script>')  # names are escaped


@override_settings(STATIC_URL="/assets/")
def test_the_icon_follows_the_static_url():
    assert 'href="/assets/vendor/bootstrap-icons/sprite.svg#gear"' in icon_svg("gear")


def test_the_shell_links_only_the_purged_css_and_defers_the_big_scripts(client):
    html = client.get("/accounts/login/").content.decode()
    assert "bootstrap.purged.min.css" in html
    assert "bootstrap-icons" not in html.replace("bootstrap-icons/sprite.svg", "")
    assert "bootstrap/bootstrap.min.css" not in html
    for script in ("htmx.min.js", "bootstrap.bundle.min.js"):
        tag = re.search(r"<script[^>]*%s[^>]*>" % re.escape(script), html).group(0)
        assert " defer" in tag, tag


def _classes(css):
    return set(re.findall(r"\.([a-zA-Z][\w-]*)", re.sub(r"url\([^)]*\)", "", css)))


def test_the_purged_css_keeps_every_bootstrap_class_the_code_uses():
    full = _classes((VENDOR / "bootstrap" / "bootstrap.min.css").read_text(encoding="utf-8"))
    purged = _classes((VENDOR / "bootstrap" / "bootstrap.purged.min.css").read_text(encoding="utf-8"))
    used = set()
    attribute = re.compile(r"""class(?:=|"\s*:\s*|\s*=\s*)(["'])(.*?)\1""")
    for path in _project_files(".html", ".py"):
        for match in attribute.finditer(path.read_text(encoding="utf-8", errors="replace")):
            used.update(re.findall(r"[a-z][\w-]*", re.sub(r"\{[{%].*?[}%]\}", " ", match.group(2))))
    assert {"btn", "card", "navbar", "form-control"} <= used & full
    assert (used & full) - purged == set(), "run bench/tools/purge_css.sh to keep the classes a page started using"
