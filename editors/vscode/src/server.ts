// Finding the rlscope binary: the `rlscope.server.path` setting (from a workspace only when it is trusted), the
// binary bundled in the extension, then `rlscope` on PATH, each probed with `--version` (see lookup.ts).
import * as vscode from "vscode";
import { candidates, configuredPath, firstWorking, Found, ProbeFailure } from "./lookup";

export type FoundServer = Found;

export function findServer(
  extensionPath: string,
  log: (line: string) => void,
): Promise<{ found?: FoundServer; failures: ProbeFailure[] }> {
  const configured = configuredPath(
    vscode.workspace.getConfiguration("rlscope").inspect<string | null>("server.path"),
    vscode.workspace.isTrusted,
    process.env.HOME,
    vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
  );
  return firstWorking(candidates(configured, extensionPath), log);
}
