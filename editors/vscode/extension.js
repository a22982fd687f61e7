// Starts `cfn-cognito-lint server` for YAML and JSON files; everything else (diagnostics,
// hover, config reloads) is the language server's.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('cfnCognitoLint');
  const command = config.get('path', 'cfn-cognito-lint');
  const run = { command, args: ['server'] };
  client = new LanguageClient(
    'cfnCognitoLint',
    'cfn-cognito-lint',
    { run, debug: run },
    {
      documentSelector: [
        { scheme: 'file', language: 'yaml' },
        { scheme: 'file', language: 'json' },
        { scheme: 'untitled', language: 'yaml' },
      ],
      initializationOptions: { debounceMs: config.get('debounceMs', 100) },
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
