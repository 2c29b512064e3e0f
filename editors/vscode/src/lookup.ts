// The parts of the server lookup that do not need VS Code: which configured path counts, the project's npm copy,
// the candidate order, and the `--version` probe. Unit-tested in test/lookup.test.ts.
import { execFile } from "child_process";
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";

export interface Candidate {
  /** Where the candidate came from, for messages. */
  origin: string;
  command: string;
}

/** What `WorkspaceConfiguration.inspect("server.path")` returns, reduced to what we read. */
export interface Inspected {
  globalValue?: string | null;
  workspaceValue?: string | null;
  workspaceFolderValue?: string | null;
}

/**
 * The configured server path, or undefined. A value from the workspace (folder or .code-workspace settings) could
 * make VS Code run a program the repository chose, so it counts only in a trusted workspace; the user's own settings
 * always count. `~/` is the home folder; a relative path is taken from the first workspace folder.
 */
export function configuredPath(
  inspected: Inspected | undefined,
  trusted: boolean,
  home: string | undefined,
  workspaceRoot: string | undefined,
): string | undefined {
  if (!inspected) {
    return undefined;
  }
  const fromWorkspace = inspected.workspaceFolderValue ?? inspected.workspaceValue;
  const value = trusted ? (fromWorkspace ?? inspected.globalValue) : inspected.globalValue;
  if (typeof value !== "string" || value.trim() === "") {
    return undefined;
  }
  let p = value.trim();
  if (p.startsWith("~/") && home) {
    p = path.join(home, p.slice(2));
  }
  if (!path.isAbsolute(p) && workspaceRoot) {
    p = path.join(workspaceRoot, p);
  }
  return p;
}

/** The bundled binary for a platform, e.g. `<ext>/bin/linux-x64/rlscope`. */
export function bundledPath(extensionPath: string, platform: string = process.platform, arch: string = process.arch): string {
  const exe = platform === "win32" ? "rlscope.exe" : "rlscope";
  return path.join(extensionPath, "bin", `${platform}-${arch}`, exe);
}

/** True on a musl-based Linux (Alpine), where the npm package installs `@rlscope/cli-linux-<arch>-musl`. */
export function isMusl(): boolean {
  if (process.platform !== "linux") {
    return false;
  }
  try {
    const report = process.report?.getReport() as unknown as { header?: { glibcVersionRuntime?: string } };
    return !report?.header?.glibcVersionRuntime;
  } catch {
    return false;
  }
}

/** The npm platform key the `rlscope` package uses: `linux-x64`, `linux-x64-musl`, `darwin-arm64`, ... */
export function platformKey(platform: string = process.platform, arch: string = process.arch, musl = isMusl()): string {
  return `${platform}-${arch}${musl ? "-musl" : ""}`;
}

/**
 * The binary of the project's `rlscope` npm package (`npm install -D rlscope`): the `@rlscope/cli-<key>` package
 * resolved from `<root>/node_modules/rlscope` as Node would (hoisted or nested). Undefined when the project has no
 * `rlscope` package; the path where the platform package's binary would be when only that is missing (the probe
 * then says "not found").
 */
export function workspaceBinary(root: string, key: string = platformKey()): string | undefined {
  const manifest = path.join(root, "node_modules", "rlscope", "package.json");
  if (!fs.existsSync(manifest)) {
    return undefined;
  }
  const exe = key.startsWith("win32-") ? "rlscope.exe" : "rlscope";
  const pkg = `@rlscope/cli-${key}`;
  try {
    return path.join(path.dirname(createRequire(manifest).resolve(`${pkg}/package.json`)), exe);
  } catch {
    return path.join(root, "node_modules", pkg, exe);
  }
}

/** The lookup order: the project's npm copy (trusted workspaces only), the setting, the bundled binary, then PATH. */
export function candidates(
  configured: string | undefined,
  extensionPath: string,
  platform: string = process.platform,
  arch: string = process.arch,
  fromWorkspace?: string,
): Candidate[] {
  const list: Candidate[] = [];
  if (fromWorkspace) {
    list.push({ origin: "workspace node_modules, npm package rlscope", command: fromWorkspace });
  }
  if (configured) {
    list.push({ origin: "setting rlscope.server.path", command: configured });
  }
  list.push({ origin: "bundled with the extension", command: bundledPath(extensionPath, platform, arch) });
  list.push({ origin: "PATH", command: platform === "win32" ? "rlscope.exe" : "rlscope" });
  return list;
}

/** Runs `<command> --version` and returns its first line ("rlscope 0.1.0"), or rejects with the reason. */
export function probe(command: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    // A .vsix unpacked without its modes loses the executable bit: restore it for a file we were pointed at.
    try {
      if (path.isAbsolute(command) && process.platform !== "win32") {
        const st = fs.statSync(command);
        if (st.isFile() && (st.mode & 0o111) === 0) {
          fs.chmodSync(command, st.mode | 0o755);
        }
      }
    } catch {
      // Missing file: execFile below reports it.
    }
    execFile(command, ["--version"], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        reject(new Error(code === "ENOENT" ? "not found" : `${err.message.split("\n")[0]} ${stderr}`.trim()));
        return;
      }
      const line = stdout.split("\n")[0].trim();
      if (!/^rlscope \S+/.test(line)) {
        reject(new Error(`\`--version\` printed "${line}", not "rlscope <version>"`));
        return;
      }
      resolve(line);
    });
  });
}

export interface ProbeFailure extends Candidate {
  error: string;
}

export interface Found extends Candidate {
  version: string;
}

/** Probes the candidates in order; the first that answers wins. */
export async function firstWorking(
  list: Candidate[],
  log: (line: string) => void,
  probeFn: (command: string) => Promise<string> = probe,
): Promise<{ found?: Found; failures: ProbeFailure[] }> {
  const failures: ProbeFailure[] = [];
  for (const c of list) {
    try {
      const version = await probeFn(c.command);
      log(`Using ${c.command} (${c.origin}): ${version}`);
      return { found: { ...c, version }, failures };
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      log(`Not using ${c.command} (${c.origin}): ${error}`);
      failures.push({ ...c, error });
    }
  }
  return { failures };
}
