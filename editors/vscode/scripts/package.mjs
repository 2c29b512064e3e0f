// `npm run package`: bundles the extension with esbuild and packs a linux-x64 .vsix with the rlscope server
// binary inside (bin/linux-x64/rlscope). Offline: vsce needs no network for this.
// The binary is RLSCOPE_SERVER_BINARY, else ../../target/release/rlscope (from `cargo build --release`).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const repo = path.resolve(here, "..", "..");
const binary = process.env.RLSCOPE_SERVER_BINARY ?? path.join(repo, "target", "release", "rlscope");
const target = "linux-x64";
const out = path.join(here, `rlscope-${target}.vsix`);

function run(cmd, args) {
  console.log(`$ ${cmd} ${args.join(" ")}`);
  execFileSync(cmd, args, { cwd: here, stdio: "inherit" });
}

if (!fs.existsSync(binary)) {
  console.error(`error: no server binary at ${binary}; run \`cargo build --release\` at the repo root first`);
  process.exit(1);
}
const version = execFileSync(binary, ["--version"], { encoding: "utf8" }).trim();
console.log(`bundling ${binary} (${version})`);

const binDir = path.join(here, "bin", target);
fs.rmSync(path.join(here, "bin"), { recursive: true, force: true });
fs.mkdirSync(binDir, { recursive: true });
fs.copyFileSync(binary, path.join(binDir, "rlscope"));
fs.chmodSync(path.join(binDir, "rlscope"), 0o755);
// The release profile keeps line tables for backtraces; the shipped copy does not need them (17 MB -> ~8 MB).
try {
  execFileSync("strip", ["--strip-debug", path.join(binDir, "rlscope")]);
} catch {
  console.log("(strip not available: shipping the binary as built)");
}

const bin = (name) => path.join(here, "node_modules", ".bin", name);
run(bin("tsc"), ["--noEmit", "-p", "."]);
run(bin("esbuild"), [
  "src/extension.ts",
  "--bundle",
  "--platform=node",
  "--target=node18",
  "--format=cjs",
  "--external:vscode",
  "--minify",
  "--outfile=out/extension.js",
]);
fs.rmSync(out, { force: true });
// --no-dependencies: everything the extension needs is in out/extension.js. --no-rewrite-relative-links: the
// README's screenshot is shipped inside the .vsix and VS Code shows it from there.
run(bin("vsce"), [
  "package",
  "--target",
  target,
  "--no-dependencies",
  "--no-rewrite-relative-links",
  "--allow-missing-repository",
  "--out",
  out,
]);
console.log(`packaged ${out} (${(fs.statSync(out).size / 1e6).toFixed(1)} MB)`);
