// Runs a composite action's `run` steps on this machine as the runner would, for a test: each
// step's `env` and `if` with their `${{ }}` expressions worked out from the inputs given, the
// outputs earlier steps wrote to $GITHUB_OUTPUT, and github.action_path; `uses` steps are left
// out (named on standard error). Only the expression forms action.yml uses are understood:
// inputs.X, steps.ID.outputs.X, steps.ID.outcome, github.action_path, runner.os, literals in
// quotes, == and !=, &&, ||, !, and cancelled()/success()/always().
// Usage: node run-action.cjs MODULES_DIR ACTION_YML INPUTS_JSON
// Prints one JSON line: {"exit": <0, or the code of the last step that failed>, "outputs": {...}}.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const os = require("node:os");
const { spawnSync } = require("node:child_process");
const YAML = require(path.join(path.resolve(process.argv[2]), "yaml"));
const actionFile = path.resolve(process.argv[3]);
const given = JSON.parse(process.argv[4]);
const action = YAML.parse(fs.readFileSync(actionFile, "utf8"));

const inputs = {};
for (const [name, spec] of Object.entries(action.inputs || {})) {
  inputs[name] = name in given ? String(given[name]) : String((spec && spec.default) ?? "");
}
for (const name of Object.keys(given)) {
  if (!(name in inputs)) throw new Error(`unknown input ${name}`);
}
const steps = {};
const context = {
  "github.action_path": path.dirname(actionFile),
  "runner.os": process.platform === "win32" ? "Windows" : process.platform === "darwin" ? "macOS" : "Linux",
};

function value(ref) {
  if (ref.startsWith("inputs.")) return inputs[ref.slice(7)] ?? "";
  const m = ref.match(/^steps\.([A-Za-z0-9_-]+)\.(outputs\.([A-Za-z0-9_-]+)|outcome)$/);
  if (m) {
    const step = steps[m[1]];
    if (!step) return "";
    return m[2] === "outcome" ? step.outcome : step.outputs[m[3]] ?? "";
  }
  if (ref in context) return context[ref];
  throw new Error(`expression not understood: ${ref}`);
}

function evaluate(expr) {
  // Translate the small expression language into JavaScript over quoted values.
  const js = expr
    .replace(/'([^']*)'/g, (_, s) => JSON.stringify(s))
    .replace(/\bcancelled\(\)/g, "false")
    .replace(/\balways\(\)/g, "true")
    .replace(/\bsuccess\(\)/g, String(!failed))
    .replace(/\bfailure\(\)/g, String(failed))
    .replace(/\b(inputs|steps|github|runner)\.[A-Za-z0-9_.-]+/g, (ref) => JSON.stringify(value(ref)));
  if (/[A-Za-z_]/.test(js.replace(/"(?:[^"\\]|\\.)*"/g, "").replace(/\b(true|false)\b/g, ""))) {
    throw new Error(`expression not understood: ${expr}`);
  }
  // eslint-disable-next-line no-new-func
  return new Function(`return (${js});`)();
}

function interpolate(text) {
  return String(text).replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, e) => {
    const v = evaluate(e);
    return typeof v === "boolean" ? String(v) : v;
  });
}

function condition(step) {
  // As on the runner: without a status function, a condition is `success() && (...)`.
  if (!("if" in step)) return !failed;
  const raw = String(step.if).trim();
  let expr = raw.startsWith("${{") ? raw.replace(/^\$\{\{\s*|\s*\}\}$/g, "") : raw;
  if (!/\b(success|failure|always|cancelled)\(\)/.test(expr)) expr = `success() && (${expr})`;
  const v = evaluate(expr);
  return v === true || (typeof v === "string" && v !== "" && v !== "false");
}

const temp = fs.mkdtempSync(path.join(os.tmpdir(), "run-action-"));
let exit = 0;
let failed = false;
let failCode = 0; // the code of the last step that failed: the job's result
try {
  process.env.RUNNER_TEMP = temp;
  (action.runs.steps || []).forEach((step, i) => {
    const label = step.name || step.id || `step ${i}`;
    if (!condition(step)) {
      process.stderr.write(`-- skipped: ${label}\n`);
      if (step.id) steps[step.id] = { outcome: "skipped", outputs: {} };
      return;
    }
    if (step.uses) {
      process.stderr.write(`-- not run here (uses ${step.uses}): ${label}\n`);
      if (step.id) steps[step.id] = { outcome: "skipped", outputs: {} };
      return;
    }
    process.stderr.write(`-- ${label}\n`);
    const outputFile = path.join(temp, `output-${i}`);
    fs.writeFileSync(outputFile, "");
    const env = { ...process.env, GITHUB_OUTPUT: outputFile };
    for (const [k, v] of Object.entries(step.env || {})) env[k] = interpolate(v);
    const r = spawnSync("bash", ["--noprofile", "--norc", "-e", "-o", "pipefail", "-c", interpolate(step.run)], {
      env,
      stdio: ["ignore", process.stderr, process.stderr], // standard output is the result line
    });
    exit = r.status === null ? 1 : r.status;
    const outputs = {};
    for (const line of fs.readFileSync(outputFile, "utf8").split("\n")) {
      const eq = line.indexOf("=");
      if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
    }
    if (step.id) steps[step.id] = { outcome: exit === 0 ? "success" : "failure", outputs };
    if (exit !== 0) {
      failed = true;
      failCode = exit;
      process.stderr.write(`-- ${label} exited ${exit}\n`);
    }
  });
  const outputs = {};
  for (const [name, spec] of Object.entries(action.outputs || {})) outputs[name] = interpolate(spec.value);
  console.log(JSON.stringify({ exit: failCode, outputs }));
} finally {
  fs.rmSync(temp, { recursive: true, force: true });
}
