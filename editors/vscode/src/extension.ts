// The rlscope VS Code extension: starts `rlscope lsp` through vscode-languageclient and adds three commands.
// All analysis happens in the server; this file only finds the binary, starts/restarts it and shows output.
import { execFile } from "child_process";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";
import { findServer, FoundServer } from "./server";

const LANGUAGES = ["typescript", "typescriptreact", "javascript", "javascriptreact", "sql"];
const EXPLAIN_SCHEME = "rlscope-explain";

let client: LanguageClient | undefined;
let server: FoundServer | undefined;
let output: vscode.OutputChannel;
let starting: Promise<void> = Promise.resolve();

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("rlscope");
  context.subscriptions.push(output);

  context.subscriptions.push(
    vscode.commands.registerCommand("rlscope.restartServer", () => restart(context)),
    vscode.commands.registerCommand("rlscope.showOutput", () => output.show(true)),
    vscode.commands.registerCommand("rlscope.explainRule", (rule?: unknown) =>
      explainRule(typeof rule === "string" ? rule : undefined),
    ),
    vscode.workspace.registerTextDocumentContentProvider(EXPLAIN_SCHEME, {
      provideTextDocumentContent: (uri) => run(["explain", uri.path.replace(/^\//, "").replace(/\.md$/, "")]),
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // The trace level is applied by the client itself; every other rlscope setting restarts the server, which
      // reads its settings through workspace/configuration when it starts.
      if (e.affectsConfiguration("rlscope") && !onlyTraceChanged(e)) {
        output.appendLine("Settings changed: restarting the server.");
        void restart(context);
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      output.appendLine("Workspace trusted: looking for the server again (rlscope.server.path now counts).");
      void restart(context);
    }),
  );

  await restart(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}

function onlyTraceChanged(e: vscode.ConfigurationChangeEvent): boolean {
  return (
    e.affectsConfiguration("rlscope.trace") &&
    !e.affectsConfiguration("rlscope.server") &&
    !e.affectsConfiguration("rlscope.rules") &&
    !e.affectsConfiguration("rlscope.inlayHints")
  );
}

async function stop(): Promise<void> {
  const old = client;
  client = undefined;
  if (old) {
    try {
      await old.stop(5_000);
    } catch (e) {
      output.appendLine(`Stopping the server failed: ${String(e)}`);
    }
  }
}

/** Stops a running server (if any), finds the binary again and starts it. Calls are serialised. */
function restart(context: vscode.ExtensionContext): Promise<void> {
  starting = starting.then(() => start(context)).catch((e) => {
    output.appendLine(`Starting the server failed: ${String(e)}`);
  });
  return starting;
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  await stop();
  const { found, failures } = await findServer(context.extensionPath, (l) => output.appendLine(l));
  if (!found) {
    server = undefined;
    const tried = failures.map((f) => `${f.command} (${f.origin}): ${f.error}`).join("; ");
    output.appendLine(`No working rlscope binary. Tried: ${tried}`);
    // Not awaited: the notification's promise settles only when the user answers it, and restarts are serialised
    // behind this one, so waiting here would keep every later restart (the command, a settings change) from running
    // while the notification sits unanswered in the notification centre.
    void notifyNoServer();
    return;
  }
  server = found;

  // TransportKind.stdio appends `--stdio`, which `rlscope lsp` accepts.
  const serverOptions: ServerOptions = {
    run: { command: found.command, args: ["lsp"], transport: TransportKind.stdio },
    debug: { command: found.command, args: ["lsp"], transport: TransportKind.stdio },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.map((language) => ({ scheme: "file", language })),
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    synchronize: {
      fileEvents: [
        vscode.workspace.createFileSystemWatcher("**/.env*"),
        vscode.workspace.createFileSystemWatcher("**/{tsconfig*.json,jsconfig.json,package.json}"),
        vscode.workspace.createFileSystemWatcher("**/rlscope.toml"),
      ],
    },
  };
  client = new LanguageClient("rlscope", "rlscope", serverOptions, clientOptions);
  output.appendLine(`Starting ${found.command} lsp`);
  await client.start();
}

async function notifyNoServer(): Promise<void> {
  const open = "Open Settings";
  const showOutput = "Show Output";
  const choice = await vscode.window.showErrorMessage(
    "rlscope: no working language server found. Set `rlscope.server.path` to an rlscope binary " +
      "(`rlscope --version` must work), or put `rlscope` on PATH.",
    open,
    showOutput,
  );
  if (choice === open) {
    await vscode.commands.executeCommand("workbench.action.openSettings", "rlscope.server.path");
  } else if (choice === showOutput) {
    output.show(true);
  }
}

/** Rule ids of rlscope diagnostics under the cursor of the active editor. */
function rulesAtCursor(): string[] {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    return [];
  }
  const pos = editor.selection.active;
  const ids = new Set<string>();
  for (const d of vscode.languages.getDiagnostics(editor.document.uri)) {
    if (d.source !== "rlscope" || !d.range.contains(pos)) {
      continue;
    }
    const code = typeof d.code === "object" ? d.code.value : d.code;
    if (code !== undefined) {
      ids.add(String(code));
    }
  }
  return [...ids];
}

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!server) {
      reject(new Error("no rlscope binary (see rlscope: Show Output)"));
      return;
    }
    execFile(server.command, args, { timeout: 10_000, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(stderr.trim() || err.message));
      } else {
        resolve(stdout);
      }
    });
  });
}

/** Shows a rule's documentation (`rlscope explain <rule>`) as a Markdown preview. */
async function explainRule(rule?: string): Promise<void> {
  try {
    let id = rule;
    if (!id) {
      const here = rulesAtCursor();
      if (here.length === 1) {
        id = here[0];
      } else {
        const listing = await run(["rules"]);
        const items = listing
          .split("\n")
          .map((l) => l.trim())
          .filter((l) => l !== "")
          .map((l) => {
            const [label, severity, ...summary] = l.split(/\s+/);
            return { label, description: severity, detail: summary.join(" ") };
          })
          .sort((a, b) => Number(here.includes(b.label)) - Number(here.includes(a.label)));
        id = (await vscode.window.showQuickPick(items, { placeHolder: "Rule to explain" }))?.label;
      }
    }
    if (!id) {
      return;
    }
    // A read-only virtual document (no "save changes?" prompt), shown as a Markdown preview beside the editor.
    const uri = vscode.Uri.from({ scheme: EXPLAIN_SCHEME, path: `/${id}.md` });
    await vscode.commands.executeCommand("markdown.showPreviewToSide", uri);
  } catch (e) {
    void vscode.window.showErrorMessage(`rlscope: ${e instanceof Error ? e.message : String(e)}`);
  }
}
