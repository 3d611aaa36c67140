#!/usr/bin/env bash
# The VS Code extension (editors/vscode): its manifests parse and point at files that
# exist, and its TextMate grammar gives the expected scopes when tokenized by the
# libraries VS Code itself uses (vscode-textmate with the vscode-oniguruma regex
# engine), fetched from the npm registry into CACHE_DIR once.
# Usage: vscode_grammar_test.sh CACHE_DIR
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 CACHE_DIR" >&2; exit 2; }
cache=$(realpath -m "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
command -v node >/dev/null && command -v npm >/dev/null ||
  { echo "vscode grammar: Node.js and npm are needed" >&2; exit 1; }

textmate=9.3.2
oniguruma=2.0.1
installed() {  # installed NAME VERSION: that version is in the cache
  node -e 'process.exit(require(process.argv[1]).version === process.argv[2] ? 0 : 1)' \
    "$cache/node_modules/$1/package.json" "$2" 2>/dev/null
}
if ! installed vscode-textmate $textmate || ! installed vscode-oniguruma $oniguruma; then
  mkdir -p "$cache"
  for try in 1 2 3; do
    npm install --silent --no-audit --no-fund --prefix "$cache" \
      vscode-textmate@$textmate vscode-oniguruma@$oniguruma >/dev/null && break
    [ "$try" = 3 ] && { echo "vscode grammar: npm install failed" >&2; exit 1; }
    sleep 5
  done
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/sample.schema" <<'SCHEMA'
/// A note a user keeps.
table notes as Note {
  id         bigint      primary key identity
  owner      uuid        references auth.users(id) on delete cascade
  title      text?
  body       text        default 'untitled'
  role       note_role   default 'reader'
  ratio      double precision default 0.5
  created_at timestamptz default now()

  row level security
  policy notes_own for all to authenticated
      using (owner = (select auth.uid()))
      with check (owner = (select auth.uid()))
}

/* A block comment. */
function touch_note() returns trigger language plpgsql as $$
begin
  new.title = coalesce(new.title, 'x');
  return new;
end;
$$

view note_titles as $q$ select '$$' as dollars, title from notes $q$
enum note_role { reader, 'co owner' }
assert notes_have_titles $$ select not exists (select 1 from notes where title = '') $$
SCHEMA

cat >"$work/grammar_test.js" <<'JS'
const fs = require("fs");
const path = require("path");
const vm = require("vm");
const [modules, ext, root, samplePath] = process.argv.slice(2);
const vsctm = require(path.join(modules, "vscode-textmate"));
const onig = require(path.join(modules, "vscode-oniguruma"));

let passed = 0, failed = 0;
const check = (what, ok, detail) => {
  if (ok) passed++;
  else { failed++; console.log("FAIL " + what + (detail ? ": " + detail : "")); }
};
const readJson = (file) => {
  try { return JSON.parse(fs.readFileSync(file, "utf8")); } catch (e) { return e; }
};

async function main() {
  // ---- the manifests ----
  const pkg = readJson(path.join(ext, "package.json"));
  check("package.json is JSON", !(pkg instanceof Error), pkg.message);
  const langConfig = readJson(path.join(ext, "language-configuration.json"));
  check("language-configuration.json is JSON", !(langConfig instanceof Error), langConfig.message);
  check("language-configuration.json: // and /* */ comments",
        langConfig.comments && langConfig.comments.lineComment === "//" &&
        String(langConfig.comments.blockComment) === "/*,*/");
  const contributes = (pkg && pkg.contributes) || {};
  const grammarEntry = (contributes.grammars || [])[0] || {};
  const language = (contributes.languages || [])[0] || {};
  const grammarPath = path.join(ext, grammarEntry.path || "(no grammar path)");
  check("package.json's grammar path exists", fs.existsSync(grammarPath), grammarPath);
  check("package.json's language configuration exists",
        !!language.configuration && fs.existsSync(path.join(ext, language.configuration)));
  check("package.json's main exists", !!pkg.main && fs.existsSync(path.join(ext, pkg.main)));
  check("language schemac for .schema files",
        language.id === "schemac" && (language.extensions || []).includes(".schema") &&
        grammarEntry.language === "schemac");
  check("activated on the language", (pkg.activationEvents || []).includes("onLanguage:schemac"));
  check("embedded SQL declared",
        (grammarEntry.embeddedLanguages || {})["meta.embedded.block.sql"] === "sql");
  const props = ((contributes.configuration || {}).properties) || {};
  check("settings schemac.path and schemac.trace.server",
        props["schemac.path"] && props["schemac.path"].default === "schemac" && !!props["schemac.trace.server"]);
  try {
    // Compiles extension.js as Node wraps a CommonJS module (a syntax check; nothing runs).
    new vm.Script("(function (exports, require, module, __filename, __dirname) {" +
                  fs.readFileSync(path.join(ext, "extension.js"), "utf8") + "\n})");
    check("extension.js parses", true);
  } catch (e) {
    check("extension.js parses", false, e.message);
  }
  const rawGrammar = readJson(grammarPath);
  check("grammar is JSON", !(rawGrammar instanceof Error), rawGrammar.message);
  check("grammar scopeName matches package.json",
        rawGrammar.scopeName === "source.schemac" && grammarEntry.scopeName === rawGrammar.scopeName);

  // ---- the grammar, as VS Code runs it ----
  await onig.loadWASM(fs.readFileSync(path.join(modules, "vscode-oniguruma/release/onig.wasm")).buffer);
  const requested = [];
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new onig.OnigScanner(patterns),
      createOnigString: (s) => new onig.OnigString(s),
    }),
    // Only our grammar exists: source.sql (VS Code's SQL grammar) is absent here.
    loadGrammar: async (scope) => {
      requested.push(scope);
      return scope === "source.schemac"
        ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath) : null;
    },
  });
  const grammar = await registry.loadGrammar("source.schemac");
  check("grammar loads", !!grammar);
  check("embedded bodies include source.sql", requested.includes("source.sql"));

  const tokenize = (text) => {
    let stack = vsctm.INITIAL;
    const lines = text.split("\n").map((line) => {
      const r = grammar.tokenizeLine(line, stack);
      stack = r.ruleStack;
      return { line, tokens: r.tokens };
    });
    return { lines, stack };
  };
  const sample = tokenize(fs.readFileSync(samplePath, "utf8"));
  // The scopes of the token that holds the first character of `text` on line `n` (0-based).
  const scopesAt = (n, text, nth = 0) => {
    const { line, tokens } = sample.lines[n];
    let at = -1;
    for (let i = 0; i <= nth; i++) at = line.indexOf(text, at + 1);
    if (at < 0) return null;
    const token = tokens.find((t) => t.startIndex <= at && at < t.endIndex);
    return token ? token.scopes : null;
  };
  const expectScope = (what, n, text, re, nth = 0) => {
    const scopes = scopesAt(n, text, nth);
    check(what, !!scopes && scopes.some((s) => re.test(s)),
          `'${text}' on line ${n + 1} has [${scopes ? scopes.join(", ") : "no token"}]`);
  };
  const expectNoScope = (what, n, text, re, nth = 0) => {
    const scopes = scopesAt(n, text, nth);
    check(what, !!scopes && !scopes.some((s) => re.test(s)),
          `'${text}' on line ${n + 1} has [${scopes ? scopes.join(", ") : "no token"}]`);
  };
  const SQL = /^meta\.embedded\.block\.sql$/;

  expectScope("/// is a comment", 0, "///", /^comment\./);
  expectScope("doc comment text is a documentation comment", 0, "note a user", /^comment\.line\.documentation/);
  expectScope("'table' is a declaration keyword", 1, "table", /^(storage\.type|keyword)\./);
  expectScope("table name is an entity name", 1, "notes", /^entity\.name\./);
  expectScope("row type is a type name", 1, "Note", /^entity\.name\.type/);
  expectScope("column name", 2, "id", /^variable\.other\.member/);
  expectScope("bigint is a built-in type", 2, "bigint", /^support\.type/);
  expectScope("primary is a member keyword", 2, "primary", /^keyword\.other/);
  expectScope("referenced table", 3, "auth.users", /^entity\.name\.type/);
  expectScope("text is a built-in type", 4, "text", /^support\.type/);
  expectScope("? is an operator", 4, "?", /^keyword\.operator/);
  expectScope("string literal", 5, "untitled", /^string\./);
  expectScope("a column named 'role' is a column", 6, "role", /^variable\.other\.member/);
  expectNoScope("a column named 'role' is no keyword", 6, "role", /^(storage|keyword)\./);
  expectScope("a declared type is a type name", 6, "note_role", /^entity\.name\.type/);
  expectScope("double precision is a built-in type", 7, "double precision", /^support\.type/);
  expectScope("default is a keyword", 8, "default", /^keyword\./);
  expectScope("row level security", 10, "row", /^keyword\.other/);
  expectScope("policy is a member keyword", 11, "policy", /^keyword\.other/);
  expectScope("policy name is an entity name", 11, "notes_own", /^entity\.name\./);
  expectScope("'with check' continues the policy", 13, "with", /^keyword\./);
  expectNoScope("'with check' is no column", 13, "with", /^variable\.other\.member/);
  expectScope("/* */ is a comment", 16, "A block", /^comment\.block/);
  expectScope("'function' is a declaration keyword", 17, "function", /^(storage\.type|keyword)\./);
  expectScope("function name", 17, "touch_note", /^entity\.name\.function/);
  expectScope("trigger return type", 17, "trigger", /^support\.type/);
  expectNoScope("the opening $$ is no SQL", 17, "$$", SQL);
  expectScope("function body is embedded SQL", 18, "begin", SQL);
  expectScope("a string in the body is embedded SQL", 19, "'x'", SQL);
  expectNoScope("a string in the body is SQL's, not schemac's", 19, "'x'", /^string\..*\.schemac$/);
  expectScope("body lines are embedded SQL", 20, "return", SQL);
  expectNoScope("the closing $$ is no SQL", 22, "$$", SQL);
  expectScope("'view' after a body is a declaration keyword", 24, "view", /^(storage\.type|keyword)\./);
  expectScope("a $tag$ body is embedded SQL", 24, "select", SQL);
  expectScope("$$ inside a $tag$ body does not end it", 24, "title from", SQL);
  expectNoScope("the closing $tag$ is no SQL", 24, "$q$", SQL, 1);
  expectScope("'enum' after a $tag$ body is a declaration keyword", 25, "enum", /^(storage\.type|keyword)\./);
  expectScope("enum name", 25, "note_role", /^entity\.name\.type/);
  expectScope("quoted enum value is a string", 25, "co owner", /^string\./);
  expectScope("'assert' is a declaration keyword", 26, "assert", /^(storage\.type|keyword)\./);
  expectScope("assertion name is an entity name", 26, "notes_have_titles", /^entity\.name\./);
  expectScope("an assertion's query is embedded SQL", 26, "not exists", SQL);
  check("sample ends at the top level", sample.stack.depth === 1, `depth ${sample.stack.depth}`);

  // Every example schema of the project tokenizes and closes every region it opens.
  const schemaDir = path.join(root, "schemas");
  let files = 0, open = [];
  for (const dir of fs.readdirSync(schemaDir)) {
    if (!fs.statSync(path.join(schemaDir, dir)).isDirectory()) continue;
    for (const name of fs.readdirSync(path.join(schemaDir, dir)).filter((f) => f.endsWith(".schema"))) {
      files++;
      const { stack } = tokenize(fs.readFileSync(path.join(schemaDir, dir, name), "utf8"));
      if (stack.depth !== 1) open.push(`${dir}/${name} (depth ${stack.depth})`);
    }
  }
  check("example schemas end at the top level", files > 0 && open.length === 0,
        files ? open.join(", ") : "no schemas found");
}

main()
  .catch((e) => check("no exception", false, e && e.stack ? e.stack : String(e)))
  .finally(() => {
    console.log(`vscode grammar: ${passed} passed, ${failed} failed`);
    process.exitCode = failed ? 1 : 0;
  });
JS

node "$work/grammar_test.js" "$cache/node_modules" "$root/editors/vscode" "$root" "$work/sample.schema"
