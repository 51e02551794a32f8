// Build the web map into the package: src/corridor/web/static/{index.html,assets/*}.
// Everything the page needs is bundled: no script, style, tile or font comes from the internet.
import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "corridor", "web", "static");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "assets"), { recursive: true });
await build({
  entryPoints: [join(here, "src", "main.js")],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  outdir: join(out, "assets"),
  entryNames: "[name]",
  legalComments: "linked",
  logLevel: "warning",
});
cpSync(join(here, "index.html"), join(out, "index.html"));
console.log(`web map built into ${out}`);
