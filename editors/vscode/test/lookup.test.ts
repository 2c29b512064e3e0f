// Unit tests of the server lookup (no VS Code needed): `npm test`.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { bundledPath, candidates, configuredPath, firstWorking, platformKey, probe, workspaceBinary } from "../src/lookup";

test("a workspace's server.path counts only in a trusted workspace; the user's always", () => {
  const inspected = { globalValue: "/usr/local/bin/rlscope", workspaceValue: "/repo/evil" };
  assert.equal(configuredPath(inspected, true, "/home/u", "/repo"), "/repo/evil");
  assert.equal(configuredPath(inspected, false, "/home/u", "/repo"), "/usr/local/bin/rlscope");
  assert.equal(configuredPath({ workspaceFolderValue: "/repo/evil" }, false, "/home/u", "/repo"), undefined);
  assert.equal(configuredPath({ workspaceFolderValue: "/repo/a", workspaceValue: "/repo/b" }, true, undefined, undefined), "/repo/a");
});

test("server.path: unset, empty, ~/ and relative values", () => {
  assert.equal(configuredPath(undefined, true, "/home/u", "/repo"), undefined);
  assert.equal(configuredPath({ globalValue: null }, true, "/home/u", "/repo"), undefined);
  assert.equal(configuredPath({ globalValue: "  " }, true, "/home/u", "/repo"), undefined);
  assert.equal(configuredPath({ globalValue: "~/bin/rlscope" }, true, "/home/u", "/repo"), "/home/u/bin/rlscope");
  assert.equal(configuredPath({ workspaceValue: "target/release/rlscope" }, true, "/home/u", "/repo"), "/repo/target/release/rlscope");
});

test("lookup order: the project's npm copy, setting, bundled, PATH", () => {
  assert.deepEqual(
    candidates("/opt/rlscope", "/ext", "linux", "x64", "/ws/node_modules/@rlscope/cli-linux-x64/rlscope").map((c) => c.origin),
    ["workspace node_modules, npm package rlscope", "setting rlscope.server.path", "bundled with the extension", "PATH"],
  );
  assert.deepEqual(
    candidates("/opt/rlscope", "/ext", "linux", "x64").map((c) => c.command),
    ["/opt/rlscope", path.join("/ext", "bin", "linux-x64", "rlscope"), "rlscope"],
  );
  assert.deepEqual(
    candidates(undefined, "/ext", "linux", "x64").map((c) => c.origin),
    ["bundled with the extension", "PATH"],
  );
  assert.equal(bundledPath("/ext", "linux", "x64"), path.join("/ext", "bin", "linux-x64", "rlscope"));
  assert.equal(bundledPath("C:/ext", "win32", "x64"), path.join("C:/ext", "bin", "win32-x64", "rlscope.exe"));
});

function script(dir: string, name: string, body: string, mode = 0o755): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, `#!/bin/sh\n${body}\n`);
  fs.chmodSync(p, mode);
  return p;
}

test("probe: accepts `rlscope <version>`, rejects anything else with the reason", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rlscope-probe-"));
  try {
    assert.equal(await probe(script(dir, "good", 'echo "rlscope 1.2.3"')), "rlscope 1.2.3");
    await assert.rejects(probe(script(dir, "other", 'echo "ripgrep 14"')), /not "rlscope <version>"/);
    await assert.rejects(probe(script(dir, "fails", "echo boom >&2; exit 3")), /boom/);
    await assert.rejects(probe(path.join(dir, "missing")), /not found/);
    // The executable bit lost by an unzip is restored.
    const noexec = script(dir, "noexec", 'echo "rlscope 0.1.0"', 0o644);
    assert.equal(await probe(noexec), "rlscope 0.1.0");
    assert.notEqual(fs.statSync(noexec).mode & 0o111, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("firstWorking: the first candidate that answers wins, the failures are kept for the message", async () => {
  const log: string[] = [];
  const answers: Record<string, string> = { b: "rlscope 2.0.0" };
  const fake = (cmd: string) => (answers[cmd] ? Promise.resolve(answers[cmd]) : Promise.reject(new Error("not found")));
  const list = [
    { origin: "setting", command: "a" },
    { origin: "bundled", command: "b" },
    { origin: "PATH", command: "c" },
  ];
  const { found, failures } = await firstWorking(list, (l) => log.push(l), fake);
  assert.equal(found?.command, "b");
  assert.equal(found?.version, "rlscope 2.0.0");
  assert.deepEqual(failures.map((f) => [f.command, f.error]), [["a", "not found"]]);
  const none = await firstWorking([{ origin: "PATH", command: "c" }], () => {}, fake);
  assert.equal(none.found, undefined);
  assert.equal(none.failures.length, 1);
});

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value));
}

test("workspaceBinary: the platform package resolved from node_modules/rlscope, hoisted or nested", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "rlscope-ws-"));
  try {
    assert.equal(workspaceBinary(root, "linux-x64"), undefined, "no rlscope package: no candidate");
    writeJson(path.join(root, "node_modules", "rlscope", "package.json"), { name: "rlscope", version: "0.1.0" });
    // installed without its optional dependency: the expected path, which the probe reports as not found
    assert.equal(
      workspaceBinary(root, "linux-x64"),
      path.join(root, "node_modules", "@rlscope", "cli-linux-x64", "rlscope"),
    );
    // hoisted (npm's usual layout)
    const hoisted = path.join(root, "node_modules", "@rlscope", "cli-darwin-arm64");
    writeJson(path.join(hoisted, "package.json"), { name: "@rlscope/cli-darwin-arm64", version: "0.1.0" });
    assert.equal(workspaceBinary(root, "darwin-arm64"), path.join(fs.realpathSync(hoisted), "rlscope"));
    // nested under rlscope (a version conflict, or pnpm-like layouts)
    const nested = path.join(root, "node_modules", "rlscope", "node_modules", "@rlscope", "cli-win32-x64");
    writeJson(path.join(nested, "package.json"), { name: "@rlscope/cli-win32-x64", version: "0.1.0" });
    assert.equal(workspaceBinary(root, "win32-x64"), path.join(fs.realpathSync(nested), "rlscope.exe"));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("platformKey: npm's platform and arch, -musl on musl Linux", () => {
  assert.equal(platformKey("linux", "x64", false), "linux-x64");
  assert.equal(platformKey("linux", "arm64", true), "linux-arm64-musl");
  assert.equal(platformKey("win32", "x64", false), "win32-x64");
});
