// Finding the rlscope binary: the `rlscope.server.path` setting (from a workspace only when it is trusted), the
// binary bundled in the extension, then `rlscope` on PATH. Each candidate is probed with `--version`; the first
// that answers is used.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";

export interface Candidate {
  /** Where the candidate came from, for messages: "setting", "bundled", "PATH". */
  origin: string;
  command: string;
}

export interface FoundServer extends Candidate {
  version: string;
}

export interface ProbeFailure extends Candidate {
  error: string;
}

/** The bundled binary for this platform, e.g. `bin/linux-x64/rlscope`. */
export function bundledPath(extensionPath: string): string {
  const exe = process.platform === "win32" ? "rlscope.exe" : "rlscope";
  return path.join(extensionPath, "bin", `${process.platform}-${process.arch}`, exe);
}

/**
 * The configured path, or undefined. A value from the workspace (folder or .code-workspace settings) could make
 * VS Code run a program the repository chose, so it counts only in a trusted workspace; the user's own settings
 * always count.
 */
export function configuredPath(): string | undefined {
  const inspected = vscode.workspace.getConfiguration("rlscope").inspect<string | null>("server.path");
  if (!inspected) {
    return undefined;
  }
  const fromWorkspace = inspected.workspaceFolderValue ?? inspected.workspaceValue;
  const value = vscode.workspace.isTrusted ? (fromWorkspace ?? inspected.globalValue) : inspected.globalValue;
  if (typeof value !== "string" || value.trim() === "") {
    return undefined;
  }
  let p = value.trim();
  if (p.startsWith("~/") && process.env.HOME) {
    p = path.join(process.env.HOME, p.slice(2));
  }
  if (!path.isAbsolute(p) && vscode.workspace.workspaceFolders?.length) {
    p = path.join(vscode.workspace.workspaceFolders[0].uri.fsPath, p);
  }
  return p;
}

export function candidates(extensionPath: string): Candidate[] {
  const list: Candidate[] = [];
  const configured = configuredPath();
  if (configured) {
    list.push({ origin: "setting rlscope.server.path", command: configured });
  }
  list.push({ origin: "bundled with the extension", command: bundledPath(extensionPath) });
  list.push({ origin: "PATH", command: process.platform === "win32" ? "rlscope.exe" : "rlscope" });
  return list;
}

/** Runs `<command> --version` and returns its first line ("rlscope 0.1.0"), or throws with the reason. */
export function probe(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // A .vsix unpacked by an older VS Code may lose the executable bit: restore it for the bundled binary.
    try {
      if (path.isAbsolute(command) && process.platform !== "win32") {
        const st = fs.statSync(command);
        if ((st.mode & 0o111) === 0) {
          fs.chmodSync(command, st.mode | 0o755);
        }
      }
    } catch {
      // Missing file: execFile below reports it.
    }
    execFile(command, ["--version"], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        reject(new Error(code === "ENOENT" ? "not found" : `${err.message.split("\n")[0]} ${stderr}`.trim()));
        return;
      }
      const line = stdout.split("\n")[0].trim();
      if (!line.startsWith("rlscope")) {
        reject(new Error(`\`--version\` printed "${line}", not "rlscope <version>"`));
        return;
      }
      resolve(line);
    });
  });
}

export async function findServer(
  extensionPath: string,
  log: (line: string) => void,
): Promise<{ found?: FoundServer; failures: ProbeFailure[] }> {
  const failures: ProbeFailure[] = [];
  for (const c of candidates(extensionPath)) {
    try {
      const version = await probe(c.command);
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
