#!/usr/bin/env node
// Builds the npm packages from release binaries: `rlscope` (the launcher, bin/rlscope.js, with an optional
// dependency on every @rlscope/cli-<platform> package) and one @rlscope/cli-<platform> package per binary given.
//
//   node npm/build.mjs [--out DIR] [--pack] [--platform KEY=BINARY]...
//
// Default: --out target/npm --platform <this machine's key>=target/release/rlscope. The version is the binary's
// (`rlscope --version`); every binary given must report the same one. With --pack, `npm pack` writes the tarballs
// (rlscope-<v>.tgz, rlscope-cli-<key>-<v>.tgz) into DIR. Platform keys: npm/rlscope/platforms.json.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.dirname(here);
const require = createRequire(import.meta.url);
const PLATFORMS = JSON.parse(fs.readFileSync(path.join(here, "rlscope", "platforms.json"), "utf8"));
const { platformKey } = require("./rlscope/bin/rlscope.js");

function fail(msg) {
  console.error(`npm/build.mjs: error: ${msg}`);
  process.exit(2);
}

let out = path.join(repo, "target", "npm");
let pack = false;
const binaries = new Map();
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === "--out") {
    out = path.resolve(argv[++i] ?? fail("--out needs a folder"));
  } else if (a === "--pack") {
    pack = true;
  } else if (a === "--platform") {
    const spec = argv[++i] ?? fail("--platform needs KEY=BINARY");
    const eq = spec.indexOf("=");
    if (eq < 1) fail(`--platform ${spec}: expected KEY=BINARY`);
    binaries.set(spec.slice(0, eq), path.resolve(spec.slice(eq + 1)));
  } else {
    fail(`unknown argument ${a} (usage: node npm/build.mjs [--out DIR] [--pack] [--platform KEY=BINARY]...)`);
  }
}
if (binaries.size === 0) {
  binaries.set(platformKey(), path.join(repo, "target", "release", "rlscope"));
}

const license = fs.readFileSync(path.join(repo, "editors", "vscode", "LICENSE"), "utf8");
const template = JSON.parse(fs.readFileSync(path.join(here, "rlscope", "package.json"), "utf8"));

// The version: what this machine's binary prints for `--version`; when only other platforms' binaries are given
// (they cannot run here), RLSCOPE_NPM_VERSION.
let version = process.env.RLSCOPE_NPM_VERSION;
for (const [key, bin] of binaries) {
  if (!PLATFORMS[key]) fail(`unknown platform ${key} (known: ${Object.keys(PLATFORMS).join(", ")})`);
  if (!fs.existsSync(bin)) fail(`no binary at ${bin} for ${key} (cargo build --release --target ${PLATFORMS[key].rustTarget})`);
  if (key === platformKey()) {
    const line = execFileSync(bin, ["--version"], { encoding: "utf8" }).split("\n")[0];
    const m = /^rlscope (\d+\.\d+\.\d+\S*)/.exec(line);
    if (!m) fail(`${bin} --version printed "${line}", not "rlscope <version>"`);
    if (version && version !== m[1]) fail(`${bin} is version ${m[1]}, RLSCOPE_NPM_VERSION says ${version}`);
    version = m[1];
  }
}
if (!version) fail("no binary for this machine to read the version from: set RLSCOPE_NPM_VERSION");

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });

function write(dir, name, text) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, name), text);
}
const json = (v) => `${JSON.stringify(v, null, 2)}\n`;

// The launcher package.
const main = path.join(out, "rlscope");
const manifest = {
  ...template,
  version,
  optionalDependencies: Object.fromEntries(Object.keys(PLATFORMS).map((k) => [`@rlscope/cli-${k}`, version])),
};
write(main, "package.json", json(manifest));
write(path.join(main, "bin"), "rlscope.js", fs.readFileSync(path.join(here, "rlscope", "bin", "rlscope.js"), "utf8"));
fs.chmodSync(path.join(main, "bin", "rlscope.js"), 0o755);
fs.copyFileSync(path.join(here, "rlscope", "platforms.json"), path.join(main, "platforms.json"));
fs.copyFileSync(path.join(here, "README.md"), path.join(main, "README.md"));
write(main, "LICENSE", license);
const dirs = [];

// One package per platform binary.
for (const [key, bin] of binaries) {
  const p = PLATFORMS[key];
  const dir = path.join(out, `cli-${key}`);
  const pkg = {
    name: `@rlscope/cli-${key}`,
    version,
    description: `The rlscope binary for ${key} (${p.rustTarget}). Install \`rlscope\`, which depends on this package on ${key}.`,
    license: template.license,
    homepage: template.homepage,
    repository: { ...template.repository, directory: "npm" },
    os: [p.os],
    cpu: [p.cpu],
    ...(p.libc ? { libc: [p.libc] } : {}),
    files: [p.exe, "README.md", "LICENSE"],
    preferUnplugged: true,
  };
  write(dir, "package.json", json(pkg));
  write(
    dir,
    "README.md",
    `# @rlscope/cli-${key}\n\nThe \`rlscope\` binary for ${key} (built for \`${p.rustTarget}\`). Do not install it directly: ` +
      "install [`rlscope`](https://www.npmjs.com/package/rlscope), whose launcher runs this binary on this platform.\n",
  );
  write(dir, "LICENSE", license);
  fs.copyFileSync(bin, path.join(dir, p.exe));
  fs.chmodSync(path.join(dir, p.exe), 0o755);
  // The release profile keeps line tables for backtraces; the shipped copy does not need them.
  if (key === platformKey() && p.os !== "win32") {
    try {
      execFileSync("strip", ["--strip-debug", path.join(dir, p.exe)]);
    } catch {
      console.log(`(strip not available: shipping ${key}'s binary as built)`);
    }
  }
  dirs.push(dir);
}
dirs.push(main);

for (const dir of dirs) {
  const { name } = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  if (pack) {
    const res = execFileSync("npm", ["pack", "--json", "--pack-destination", out], { cwd: dir, encoding: "utf8" });
    const [info] = JSON.parse(res);
    console.log(`${path.join(out, info.filename)}  ${name}@${version}  ${(info.size / 1e6).toFixed(1)} MB packed`);
  } else {
    console.log(`${dir}  ${name}@${version}`);
  }
}
