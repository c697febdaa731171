// The VS Code client of resgraph's language server: starts `resgraph lsp` (the setting
// resgraph.command) for spec files and adds a command to choose the variant shown.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function settings() {
  const config = vscode.workspace.getConfiguration("resgraph");
  return { variant: config.get("variant"), set: config.get("set") };
}

async function chooseVariant() {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== "resgraph") return;
  const uri = editor.document.uri.toString();
  const names = await client.sendRequest("workspace/executeCommand",
    { command: "resgraph.variants", arguments: [uri] });
  const picked = await vscode.window.showQuickPick(["(the spec's defaults)", ...names]);
  if (picked === undefined) return;
  const name = picked.startsWith("(") ? null : picked;
  await client.sendRequest("workspace/executeCommand",
    { command: "resgraph.selectVariant", arguments: [uri, name] });
}

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("resgraph").get("command");
  client = new LanguageClient("resgraph", "resgraph", { command, args }, {
    documentSelector: [{ scheme: "file", language: "resgraph" }, { scheme: "untitled", language: "resgraph" }],
    initializationOptions: settings(),
    synchronize: { configurationSection: "resgraph" },
  });
  context.subscriptions.push(vscode.commands.registerCommand("resgraph.chooseVariant", chooseVariant));
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
