#!/usr/bin/env bash
# `schemac lint --format sarif` and `check --format sarif` validated against the SARIF
# 2.1.0 JSON schema (the OASIS schema as npm's @microsoft/jest-sarif ships it), with
# Ajv (its draft-04 build); both fetched from the npm registry into the build directory once.
set -euo pipefail
schemac=$(realpath "$1")
cache=$(realpath -m "$2")
root=$(cd "$(dirname "$0")/.." && pwd)
command -v npm >/dev/null || { echo "sarif: npm is needed (Node.js) to validate SARIF" >&2; exit 1; }
schema=$cache/sarif-2.1.0-rtm.5.json
if [ ! -f "$schema" ] || [ ! -d "$cache/node_modules/ajv-draft-04" ]; then
  mkdir -p "$cache"
  (cd "$cache" && for try in 1 2 3; do
    npm install --silent --no-audit --no-fund --prefix "$cache" ajv@8.17.1 ajv-draft-04@1.0.0 ajv-formats@3.0.1 >/dev/null &&
      npm pack --silent @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null && break
    sleep 5
  done)
  tar -xzf "$cache"/microsoft-jest-sarif-1.0.0-beta.0.tgz -C "$cache" package/lib/schemas/sarif-2.1.0-rtm.5.json
  mv "$cache/package/lib/schemas/sarif-2.1.0-rtm.5.json" "$schema"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Findings of each kind: a lint warning, a silenced one, an error with a note.
mkdir "$work/lint" "$work/broken"
cat >"$work/lint/a.schema" <<'SCHEMA'
role authenticated

table notes {
  id   bigint primary key
  body text
  row level security
  grant select to authenticated
}

// lint:allow S101 the table is read through a definer function only
table drafts {
  id bigint primary key
  row level security
}
SCHEMA
cp "$root/tests/golden/errors_names/schema/"*.schema "$work/broken/"
set +e
"$schemac" lint "$work/lint" --format sarif >"$work/lint.sarif"
"$schemac" check "$work/broken" --format sarif >"$work/check.sarif"
"$schemac" check "$root/schemas/ai_assistant" --format sarif >"$work/clean.sarif"
set -e

cat >"$work/validate.js" <<'JS'
const Ajv = require("ajv-draft-04");  // the SARIF schema is draft-04
const addFormats = require("ajv-formats");
const fs = require("fs");
const [schemaPath, ...logs] = process.argv.slice(2);
// unicodeRegExp off: the schema's language-tag pattern is not valid with the u flag.
const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, "utf8")));
let failed = 0, passed = 0;
const check = (what, ok) => { if (ok) passed++; else { failed++; console.log("FAIL " + what); } };
const parsed = {};
for (const path of logs) {
  const log = JSON.parse(fs.readFileSync(path, "utf8"));
  parsed[path.replace(/.*\//, "")] = log;
  check(path + " is valid SARIF 2.1.0: " + JSON.stringify(validate.errors), validate(log));
}
const results = (name) => parsed[name].runs[0].results;
const lint = results("lint.sarif");
check("the warning is S101", lint.some((r) => r.ruleId === "S101" && r.level === "warning" && !r.suppressions));
check("the silenced finding is suppressed in source",
      lint.some((r) => r.ruleId === "S101" && r.suppressions && r.suppressions[0].kind === "inSource"));
const region = lint.find((r) => !r.suppressions).locations[0].physicalLocation.region;
check("the region is the table's name: " + JSON.stringify(region),
      region.startLine === 3 && region.startColumn === 7 && region.endColumn === 12);
const check_results = results("check.sarif");
check("errors carry their kind", check_results.length > 0 && check_results.every((r) => r.ruleId === "schema" && r.level === "error"));
check("notes are related locations", check_results.some((r) => (r.relatedLocations || []).length > 0));
check("a clean schema has no results", results("clean.sarif").length === 0);
console.log(`sarif: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
JS
NODE_PATH=$cache/node_modules node "$work/validate.js" "$schema" "$work/lint.sarif" "$work/check.sarif" "$work/clean.sarif"
