// Finding the rlscope binary: in a trusted workspace the project's own copy (the `rlscope` npm package in
// node_modules), then the `rlscope.server.path` setting (a workspace's value only when trusted), the binary bundled
// in the extension, then `rlscope` on PATH, each probed with `--version` (see lookup.ts).
import * as vscode from "vscode";
import { candidates, configuredPath, firstWorking, Found, ProbeFailure, workspaceBinary } from "./lookup";

export type FoundServer = Found;

export function findServer(
  extensionPath: string,
  log: (line: string) => void,
): Promise<{ found?: FoundServer; failures: ProbeFailure[] }> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const trusted = vscode.workspace.isTrusted;
  const configured = configuredPath(
    vscode.workspace.getConfiguration("rlscope").inspect<string | null>("server.path"),
    trusted,
    process.env.HOME,
    root,
  );
  // A binary inside the repository is a program the repository chose: run it only in a trusted workspace.
  const fromWorkspace = trusted && root ? workspaceBinary(root) : undefined;
  if (!trusted && root && workspaceBinary(root)) {
    log("Workspace not trusted: not using the project's node_modules/rlscope.");
  }
  return firstWorking(candidates(configured, extensionPath, process.platform, process.arch, fromWorkspace), log);
}
