// Copies axe-core's axe.min.js into ../tests/browser/vendor/ for the accessibility
// checks in the browser tests. The copy is committed, so CI needs no network for it.
// Run with `npm run vendor:axe` after changing the pinned axe-core version.
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, "node_modules", "axe-core", "axe.min.js");
const target = join(here, "..", "tests", "browser", "vendor", "axe.min.js");
mkdirSync(dirname(target), { recursive: true });
copyFileSync(source, target);
const { version } = JSON.parse(readFileSync(join(here, "node_modules", "axe-core", "package.json"), "utf8"));
console.log(`copied axe-core ${version} to tests/browser/vendor/axe.min.js`);
