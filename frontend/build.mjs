// Builds ../static/frontend/ from GOV.UK Frontend, MoJ Frontend and htmx.
// Run with `npm run build`; the output is committed so the service runs without Node.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "static", "frontend");
const modules = join(here, "node_modules");

// Assets the stylesheets may point at, searched in order (paths after "assets/").
const assetRoots = [
  join(modules, "@ministryofjustice", "frontend", "moj", "assets"),
  join(modules, "govuk-frontend", "dist", "govuk", "assets"),
];

// GOV.UK branding a council service must not ship. The footer's crest is only
// drawn for `.govuk-footer__copyright-logo`, which our templates do not use.
const withheld = [/govuk-crest/, /crown/i, /govuk-icon/, /opengraph/];

const javascript = {
  "govuk-frontend.min.js": join(modules, "govuk-frontend", "dist", "govuk", "govuk-frontend.min.js"),
  "moj-frontend.min.js": join(modules, "@ministryofjustice", "frontend", "moj", "moj-frontend.min.js"),
  "htmx.min.js": join(modules, "htmx.org", "dist", "htmx.min.js"),
  // Ours, unbundled: it imports the two files above by relative path.
  "app.js": join(here, "js", "app.mjs"),
};

function compileCss() {
  let dependencyWarnings = 0;
  const result = sass.compile(join(here, "scss", "app.scss"), {
    style: "compressed",
    sourceMap: false,
    loadPaths: [here],
    quietDeps: true,
    logger: {
      warn(message, { stack = "" }) {
        // Deprecation notices GOV.UK raises about MoJ's own code are not ours to fix.
        const caller = stack
          .split("\n")
          .map((line) => line.trim())
          .find((line) => line && !/govuk-frontend\/dist\/govuk\/(settings|helpers|tools)\//.test(line));
        if (caller && caller.startsWith("node_modules/")) {
          dependencyWarnings += 1;
          return;
        }
        console.warn(`WARNING: ${message}\n${stack}`);
      },
    },
  });
  if (dependencyWarnings) {
    console.log(`(${dependencyWarnings} deprecation warning(s) inside GOV.UK/MoJ Frontend not shown)`);
  }
  return result.css;
}

function copyAssets(css) {
  const urls = new Set([...css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)].map((m) => m[1]));
  for (const url of urls) {
    if (url.startsWith("data:")) continue;
    if (!url.startsWith("assets/")) throw new Error(`Unexpected asset URL in CSS: ${url}`);
    if (withheld.some((pattern) => pattern.test(url))) {
      css = css.replaceAll(`url("${url}")`, "none").replaceAll(`url(${url})`, "none");
      console.log(`withheld ${url}`);
      continue;
    }
    const rest = url.slice("assets/".length);
    const source = assetRoots.map((root) => join(root, rest)).find((path) => {
      try {
        readFileSync(path);
        return true;
      } catch {
        return false;
      }
    });
    if (!source) throw new Error(`The CSS needs ${url}, found in no package`);
    const target = join(out, url);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(source, target);
  }
  if (/GDS Transport|@font-face/.test(css)) throw new Error("The CSS must not embed GDS Transport");
  return css;
}

function copyJavaScript() {
  for (const [name, source] of Object.entries(javascript)) {
    // Source maps are not shipped; drop the comment so manifest storage does not look for them.
    const code = readFileSync(source, "utf8").replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n");
    writeFileSync(join(out, name), code);
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const css = copyAssets(compileCss());
writeFileSync(join(out, "app.css"), css + "\n");
copyJavaScript();
mkdirSync(join(out, "images"), { recursive: true });
copyFileSync(join(here, "images", "favicon.svg"), join(out, "images", "favicon.svg"));
console.log(`built ${relative(process.cwd(), out)}/ (app.css ${Math.round(css.length / 1024)} KB)`);
