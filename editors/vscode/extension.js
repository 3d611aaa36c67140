// The schemac extension: starts `schemac lsp` as a language server for .schema files.
// Plain CommonJS, no build step: VS Code loads this file as it is.
"use strict";

const path = require("path");
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

/** @type {LanguageClient | undefined} */
let client;

// The executable from `schemac.path`: a bare name is looked up on PATH by the system,
// `~/...` is taken from the home directory, another relative path from the first workspace folder.
function serverCommand() {
  let command = vscode.workspace.getConfiguration("schemac").get("path") || "schemac";
  if (command.startsWith("~/")) {
    command = path.join(require("os").homedir(), command.slice(2));
  } else if (!path.isAbsolute(command) && command.includes("/")) {
    const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
    if (folder) command = path.join(folder.uri.fsPath, command);
  }
  return command;
}

function createClient() {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  // TransportKind.stdio makes the client append `--stdio`: the server runs as `schemac lsp --stdio`.
  const executable = {
    command: serverCommand(),
    args: ["lsp"],
    transport: TransportKind.stdio,
    options: folder ? { cwd: folder.uri.fsPath } : {},
  };
  const serverOptions = { run: executable, debug: executable };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "schemac" }],
    synchronize: {
      // A schema is a directory of .schema files: tell the server when one changes on disk.
      fileEvents: vscode.workspace.createFileSystemWatcher("**/*.schema"),
    },
  };
  // The id "schemac" makes the client read the `schemac.trace.server` setting.
  return new LanguageClient("schemac", "schemac", serverOptions, clientOptions);
}

async function startClient() {
  client = createClient();
  try {
    await client.start();
  } catch (err) {
    vscode.window.showErrorMessage(
      `schemac: could not start the language server (${serverCommand()} lsp): ${err && err.message ? err.message : err}. ` +
        "Set `schemac.path` to the schemac executable."
    );
  }
}

async function stopClient() {
  if (!client) return;
  const running = client;
  client = undefined;
  try {
    await running.stop();
  } catch (_) {
    // already stopped (for instance, it never started)
  }
}

async function restartClient() {
  await stopClient();
  await startClient();
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("schemac.restartServer", restartClient),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("schemac.path")) restartClient();
    }),
    { dispose: () => { stopClient(); } }
  );
  await startClient();
}

function deactivate() {
  return stopClient();
}

module.exports = { activate, deactivate };
