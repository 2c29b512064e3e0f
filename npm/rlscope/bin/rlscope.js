#!/usr/bin/env node
// The `rlscope` command of the npm package: finds the native binary for this platform (the optional dependency
// @rlscope/cli-<platform>, or RLSCOPE_BINARY) and runs it with the same arguments, stdio and exit status.
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const path = require("path");

const PLATFORMS = require("../platforms.json");
const { version: VERSION } = require("../package.json");

/** True on a musl-based Linux (Alpine): glibc's version is absent from Node's own report there. */
function isMusl() {
  if (process.platform !== "linux") {
    return false;
  }
  try {
    const report = process.report.getReport();
    const header = (typeof report === "string" ? JSON.parse(report) : report).header;
    return !header.glibcVersionRuntime;
  } catch {
    try {
      return fs.readdirSync("/lib").some((f) => f.startsWith("ld-musl-"));
    } catch {
      return false;
    }
  }
}

/** The platform key, e.g. `linux-x64`, `linux-x64-musl`, `darwin-arm64`, `win32-x64`. */
function platformKey(platform = process.platform, arch = process.arch, musl = isMusl()) {
  return `${platform}-${arch}${musl ? "-musl" : ""}`;
}

class LaunchError extends Error {}

/**
 * The binary to run: RLSCOPE_BINARY when set, else the one in @rlscope/cli-<key>, resolved from this package (so a
 * nested or hoisted install both work). Throws a LaunchError that says what is missing and what to do.
 */
function findBinary(env = process.env, key = platformKey(), resolve = require.resolve) {
  if (env.RLSCOPE_BINARY) {
    const p = path.resolve(env.RLSCOPE_BINARY);
    if (!fs.existsSync(p)) {
      throw new LaunchError(`RLSCOPE_BINARY is set to ${env.RLSCOPE_BINARY}, which does not exist`);
    }
    return p;
  }
  const platform = PLATFORMS[key];
  const fromSource =
    "build it from source (`cargo install --locked --git https://github.com/rlscope/rlscope rlscope`) and set " +
    "RLSCOPE_BINARY to its path";
  if (!platform) {
    throw new LaunchError(
      `there is no prebuilt rlscope binary for this platform (${key}); prebuilt: ${Object.keys(PLATFORMS).join(", ")}. ` +
        `To use rlscope here, ${fromSource}.`,
    );
  }
  const pkg = `@rlscope/cli-${key}`;
  let dir;
  try {
    dir = path.dirname(resolve(`${pkg}/package.json`));
  } catch {
    throw new LaunchError(
      `the package ${pkg}, which holds the rlscope binary for ${key}, is not installed. It is an optional ` +
        `dependency of rlscope: \`npm install --omit=optional\` (or a lockfile made without it) leaves it out. ` +
        `Install it with \`npm install --save-dev ${pkg}@${VERSION}\`, or ${fromSource}.`,
    );
  }
  const bin = path.join(dir, platform.exe);
  if (!fs.existsSync(bin)) {
    throw new LaunchError(`${pkg} is installed at ${dir} but has no ${platform.exe}: reinstall it`);
  }
  return bin;
}

function main() {
  let bin;
  try {
    bin = findBinary();
  } catch (e) {
    if (!(e instanceof LaunchError)) {
      throw e;
    }
    process.stderr.write(`rlscope: error: ${e.message}\n`);
    process.exit(2);
  }
  const child = spawn(bin, process.argv.slice(2), { stdio: "inherit", windowsHide: true });
  // An editor stopping the server signals this process: pass it on, then end the same way the binary did.
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
    }
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, forward);
  }
  child.on("error", (e) => {
    process.stderr.write(`rlscope: error: could not run ${bin}: ${e.message}\n`);
    process.exit(2);
  });
  child.on("exit", (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 2);
  });
}

module.exports = { findBinary, platformKey, isMusl, LaunchError, PLATFORMS };

if (require.main === module) {
  main();
}
