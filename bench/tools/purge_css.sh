#!/usr/bin/env bash
# Make static/vendor/bootstrap/bootstrap.purged.min.css: Bootstrap 5.3.9's CSS with only the rules whose classes
# and elements the pages can use (PurgeCSS), plus the few lines the icon sprite needs. Run by hand after a page
# starts using a Bootstrap class it did not use before (a missing class shows as an unstyled element); commit the
# result. Needs node/npm and the npm registry; `make run` and `make test` never run it.
#
#     bash bench/tools/purge_css.sh
#
# Scanned for class names: every project *.html and *.py (forms and tables set classes in Python), Django's form
# widget templates and the third-party templates the pages render (django-tables2 bootstrap5, django-filter,
# django-simple-captcha). Kept whatever the scan finds plus a generous safelist: classes Bootstrap's JS adds
# (show, fade, collapsing, modal-*, dropdown-*, offcanvas, tooltip …), classes built from a variable in a template
# (btn-{{ style }}, text-bg-{{ level }}, alert-{{ tags }}), every colour/alert/badge/button variant, the reboot's
# element rules and the dropdown's data-bs-popper rules. A component first used later (accordion, toast, popover, tabs …)
# needs its classes in a template (they are then found) or here.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SP="$(cd "$ROOT" && .venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund purgecss@7.0.2 >/dev/null)
cat >"$WORK/purge.cjs" <<'JS'
const { PurgeCSS } = require("purgecss");
const fs = require("fs");
const [root, sp, out] = process.argv.slice(2);
const tags = "html body h1 h2 h3 h4 h5 h6 p a abbr address b strong small mark sub sup ol ul li dl dt dd blockquote " +
  "pre code kbd samp figure figcaption img svg table caption thead tbody tfoot tr th td label button input " +
  "optgroup select option textarea fieldset legend output iframe summary details progress hr main nav aside " +
  "header footer section article span div form em i";
(async () => {
  const result = await new PurgeCSS().purge({
    css: [root + "/static/vendor/bootstrap/bootstrap.min.css"],
    content: [
      root + "/**/templates/**/*.html",
      root + "/{config,core,accounts,regions,cycles,units,needs,teams,calls,matching,notices,registrations,portal}/**/*.py",
      sp + "/django/forms/templates/django/forms/**/*.html",
      sp + "/django_tables2/templates/django_tables2/{table,bootstrap5,bootstrap5-responsive}.html",
      sp + "/django_filters/templates/django_filters/**/*.html",
      sp + "/captcha/templates/**/*.html",
    ],
    skippedContentGlobs: [root + "/.venv/**", root + "/staticfiles/**", root + "/node_modules/**"],
    safelist: {
      standard: tags.split(" ").concat([
        // Added by Bootstrap's JS (collapse, dropdown, modal, alert, offcanvas, tooltip) or by form validation.
        /^(show|showing|hiding|fade|active|disabled|collapse|collapsing|collapse-horizontal)$/,
        /^(was-validated|is-valid|is-invalid|valid-feedback|invalid-feedback|valid-tooltip|invalid-tooltip)$/,
        /^modal(-open|-backdrop|-static|-dialog|-dialog-centered|-dialog-scrollable|-content|-header|-body|-footer|-title|-sm|-lg)?$/,
        /^dropdown/, /^dropup/, /^dropstart/, /^dropend/,
        /^offcanvas(-backdrop|-start|-end|-top|-bottom|-header|-body|-title)?$/, /^tooltip/, /^bs-tooltip/,
        // Built from a variable: alert-{{ message.tags }}, btn-{{ step.style }}, text-bg-{{ item.level }}, and
        // every colour variant of the badge/background/text/border utilities besides.
        /^alert/, /^badge/, /^text-bg-/,
        /^btn(-sm|-lg|-close|-close-white|-group|-group-sm|-toolbar)?$/,
        /^btn-(outline-)?(primary|secondary|success|danger|warning|info|light|dark|link)$/,
        /^(bg|text|border|link)-(primary|secondary|success|danger|warning|info|light|dark|white|black|body|muted|reset)(-subtle|-emphasis|-secondary|-tertiary)?$/,
        /^(bg|text|border)-opacity-/,
        /^list-group-item(-action|-(primary|secondary|success|danger|warning|info|light|dark))?$/,
        /^table-(primary|secondary|success|danger|warning|info|light|dark|active|striped|hover|sm|bordered)$/,
        /^form-(control|select|check|label|text)/, /^visually-hidden/, /^progress-bar/, /^spinner-border/,
      ]),
      greedy: [/data-bs-popper/],
    },
    rejected: true,
  });
  fs.writeFileSync(out, result[0].css);
  fs.writeFileSync(out + ".rejected.txt", (result[0].rejected || []).join("\n"));
})();
JS
OUT="$ROOT/static/vendor/bootstrap/bootstrap.purged.min.css"
(cd "$WORK" && node purge.cjs "$ROOT" "$SP" "$OUT")
mv "$OUT.rejected.txt" "$WORK/rejected.txt"
# The inline SVG icons ({% icon %}, core/templatetags/ui.py): sit on the text baseline like the icon font did.
printf '\n/* icons: core/templatetags/ui.py */.bi{display:inline-block;vertical-align:-.125em;flex-shrink:0;overflow:visible}\n' >>"$OUT"
echo "$(wc -c <"$ROOT/static/vendor/bootstrap/bootstrap.min.css") -> $(wc -c <"$OUT") bytes: $OUT"
echo "rules removed: $(wc -l <"$WORK/rejected.txt")"
if [ -n "${KEEP_REJECTED:-}" ]; then cp "$WORK/rejected.txt" "$KEEP_REJECTED"; fi
