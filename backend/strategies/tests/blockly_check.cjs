// Loads the server's block catalogue into real Blockly (headless) and reports what Blockly makes of it.
// Usage: node blockly_check.cjs <client dir> < {"catalogue": ..., "templates": [...], "probes": [...]}
// Prints JSON: warnings while defining, each template re-saved by Blockly, and connection checks.
const path = require('path');
const Blockly = require(path.join(process.argv[2], 'node_modules', 'blockly'));

const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const warnings = [];
const warn = console.warn;
console.warn = (...args) => warnings.push(args.join(' '));
Blockly.defineBlocksWithJsonArray(input.catalogue.blocks.map((b) => b.blockly));
console.warn = warn;

const saved = {};
for (const template of input.templates) {
  const ws = new Blockly.Workspace();
  Blockly.serialization.workspaces.load(template.workspace, ws);
  saved[template.key] = Blockly.serialization.workspaces.save(ws);
}

// probes: [socket block type, input name, plugged block type] -> can Blockly connect them?
const ws = new Blockly.Workspace();
const connects = input.probes.map(([parentType, inputName, childType]) => {
  const parent = ws.newBlock(parentType);
  const child = ws.newBlock(childType);
  return ws.connectionChecker.canConnect(parent.getInput(inputName).connection, child.outputConnection, false);
});
process.stdout.write(JSON.stringify({warnings, saved, connects}));
