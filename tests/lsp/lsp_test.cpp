// `schemac lsp` spoken to as an editor would: a schema directory of two files, one
// opened with an error, edited until it checks, then asked about.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "lsp/client.hpp"

namespace fs = std::filesystem;
using schemac::test::LspClient;
using Json = nlohmann::json;

namespace {

struct ScratchDir {
  fs::path path;
  ScratchDir() {
    char tmpl[] = "/tmp/schemac-lsp-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~ScratchDir() { fs::remove_all(path); }
};

void write(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

std::string uri(const fs::path& p) { return "file://" + p.string(); }

Json range(int l1, int c1, int l2, int c2) {
  return {{"start", {{"line", l1}, {"character", c1}}}, {"end", {{"line", l2}, {"character", c2}}}};
}

Json at(const fs::path& p, int line, int character) {
  return {{"textDocument", {{"uri", uri(p)}}}, {"position", {{"line", line}, {"character", character}}}};
}

const std::string a_text =
    "role app\n"                                // 0
    "\n"                                        // 1
    "/// People who sign in.\n"                 // 2
    "table users {\n"                           // 3
    "  id bigint primary key\n"                 // 4
    "  /// Shown in the UI.\n"                  // 5
    "  name texx default 'anon'\n"              // 6
    "  team_id bigint? references teams(id)\n"  // 7
    "  grant select to app\n"                   // 8
    "}\n";
const std::string b_text =
    "table teams {\n"
    "  id bigint primary key\n"
    "  title text\n"
    "}\n";

std::vector<std::string> labels(const Json& completion) {
  std::vector<std::string> out;
  for (const auto& i : completion["result"]["items"]) out.push_back(i["label"]);
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE(
    "the language server: diagnostics as you type, hover, definition, references, symbols, formatting, "
    "completion") {
  ScratchDir dir;
  fs::path a = dir.path / "a.schema", b = dir.path / "b.schema";
  write(a, a_text);
  write(b, b_text);
  LspClient lsp(SCHEMAC_BINARY);

  Json init =
      lsp.call("initialize", {{"processId", nullptr}, {"rootUri", uri(dir.path)}, {"capabilities", Json::object()}});
  REQUIRE(init.contains("result"));
  const auto& caps = init["result"]["capabilities"];
  CHECK(caps["hoverProvider"] == true);
  CHECK(caps["definitionProvider"] == true);
  CHECK(caps["referencesProvider"] == true);
  CHECK(caps["documentFormattingProvider"] == true);
  CHECK(caps["textDocumentSync"]["change"] == 2);
  lsp.notify("initialized", Json::object());

  // Opened with an unknown type: one error, on exactly the type's name.
  lsp.notify("textDocument/didOpen",
             {{"textDocument", {{"uri", uri(a)}, {"languageId", "schemac"}, {"version", 1}, {"text", a_text}}}});
  Json diags = lsp.diagnostics_for(uri(a));
  REQUIRE(diags.size() == 1);
  CHECK(diags[0]["range"] == range(6, 7, 6, 11));
  CHECK(diags[0]["severity"] == 1);
  CHECK(diags[0]["code"] == "schema");
  CHECK(diags[0]["message"].get<std::string>().find("unknown type 'texx'") != std::string::npos);

  // A syntax error as you type (an unclosed table), with the file's other text unchanged on disk.
  lsp.notify("textDocument/didChange", {{"textDocument", {{"uri", uri(a)}, {"version", 2}}},
                                        {"contentChanges", {{{"range", range(9, 0, 9, 1)}, {"text", ""}}}}});
  diags = lsp.diagnostics_for(uri(a));
  REQUIRE(diags.size() >= 1);
  CHECK(diags[0]["code"] == "syntax");
  CHECK(diags[0]["severity"] == 1);

  // Both fixed by incremental edits: no errors left (lint findings may remain as warnings).
  lsp.notify("textDocument/didChange",
             {{"textDocument", {{"uri", uri(a)}, {"version", 3}}},
              {"contentChanges",
               {{{"range", range(9, 0, 9, 0)}, {"text", "}"}}, {{"range", range(6, 7, 6, 11)}, {"text", "text"}}}}});
  diags = lsp.diagnostics_for(uri(a));
  for (const auto& d : diags) CHECK(d["severity"] != 1);

  // An edit inside one declaration (parsed again alone): the error is where it is.
  lsp.notify("textDocument/didChange", {{"textDocument", {{"uri", uri(a)}, {"version", 4}}},
                                        {"contentChanges", {{{"range", range(6, 7, 6, 11)}, {"text", "textt"}}}}});
  diags = lsp.diagnostics_for(uri(a));
  REQUIRE(diags.size() >= 1);
  CHECK(diags[0]["range"] == range(6, 7, 6, 12));
  CHECK(diags[0]["message"].get<std::string>().find("did you mean 'text'?") != std::string::npos);
  lsp.notify("textDocument/didChange", {{"textDocument", {{"uri", uri(a)}, {"version", 5}}},
                                        {"contentChanges", {{{"range", range(6, 7, 6, 12)}, {"text", "text"}}}}});
  diags = lsp.diagnostics_for(uri(a));
  for (const auto& d : diags) CHECK(d["severity"] != 1);

  SECTION("hover: a column's type, nullability, default and doc; a table's columns") {
    Json h = lsp.call("textDocument/hover", at(a, 6, 3));
    std::string text = h["result"]["contents"]["value"];
    CHECK(text.find("users.name text not null default 'anon'") != std::string::npos);
    CHECK(text.find("Shown in the UI.") != std::string::npos);
    h = lsp.call("textDocument/hover", at(a, 7, 31));  // `teams`, declared in b.schema
    text = h["result"]["contents"]["value"];
    CHECK(text.find("table teams {") != std::string::npos);
    CHECK(text.find("title text not null") != std::string::npos);
    CHECK(lsp.call("textDocument/hover", at(a, 1, 0))["result"].is_null());
  }
  SECTION("definition and references across the directory's files") {
    Json d = lsp.call("textDocument/definition", at(a, 7, 31));
    REQUIRE(d["result"].size() == 1);
    CHECK(d["result"][0]["uri"] == uri(b));
    CHECK(d["result"][0]["range"] == range(0, 6, 0, 11));
    d = lsp.call("textDocument/definition", at(a, 7, 36));  // the `id` of teams(id)
    REQUIRE(d["result"].size() == 1);
    CHECK(d["result"][0]["range"] == range(1, 2, 1, 4));
    d = lsp.call("textDocument/definition", at(a, 8, 19));  // the role `app`
    REQUIRE(d["result"].size() == 1);
    CHECK(d["result"][0]["range"] == range(0, 5, 0, 8));

    Json r = lsp.call("textDocument/references", {{"textDocument", {{"uri", uri(b)}}},
                                                  {"position", {{"line", 0}, {"character", 8}}},
                                                  {"context", {{"includeDeclaration", true}}}});
    REQUIRE(r["result"].size() == 2);
    CHECK(r["result"][0]["uri"] == uri(a));
    CHECK(r["result"][0]["range"] == range(7, 29, 7, 34));
    CHECK(r["result"][1]["uri"] == uri(b));
    CHECK(r["result"][1]["range"] == range(0, 6, 0, 11));
  }
  SECTION("document symbols: the outline") {
    Json s = lsp.call("textDocument/documentSymbol", {{"textDocument", {{"uri", uri(a)}}}});
    const auto& list = s["result"];
    REQUIRE(list.size() == 2);
    CHECK(list[0]["name"] == "app");
    CHECK(list[1]["name"] == "users");
    CHECK(list[1]["selectionRange"] == range(3, 6, 3, 11));
    REQUIRE(list[1]["children"].size() == 3);
    CHECK(list[1]["children"][1]["name"] == "name");
    CHECK(list[1]["children"][1]["detail"] == "text not null default 'anon'");
  }
  SECTION("completion: a referenced table's columns, types after a column's name, tables after references") {
    auto columns = labels(lsp.call("textDocument/completion", at(a, 7, 35)));
    CHECK(has(columns, "id"));
    CHECK(has(columns, "title"));
    CHECK_FALSE(has(columns, "name"));
    auto types = labels(lsp.call("textDocument/completion", at(a, 6, 7)));
    CHECK(has(types, "text"));
    CHECK(has(types, "timestamptz"));
    auto tables = labels(lsp.call("textDocument/completion", at(a, 7, 29)));
    CHECK(has(tables, "teams"));
    CHECK(has(tables, "users"));
  }
  SECTION("formatting gives the fmt printer's text, from a file that parses but does not check") {
    ScratchDir other;
    fs::path c = other.path / "c.schema";
    std::string messy = "table   t {\n id bigint    primary key\n  kind   no_such_type\n}\n";
    lsp.notify("textDocument/didOpen",
               {{"textDocument", {{"uri", uri(c)}, {"languageId", "schemac"}, {"version", 1}, {"text", messy}}}});
    Json f = lsp.call("textDocument/formatting",
                      {{"textDocument", {{"uri", uri(c)}}}, {"options", {{"tabSize", 2}, {"insertSpaces", true}}}});
    REQUIRE(f["result"].size() == 1);
    CHECK(f["result"][0]["range"] == range(0, 0, 4, 0));
    // fmt's layout: names, types and modifiers in aligned columns.
    CHECK(f["result"][0]["newText"] == "table t {\n  id   bigint       primary key\n  kind no_such_type\n}\n");
    CHECK(lsp.diagnostics_for(uri(c))[0]["code"] == "schema");
  }

  CHECK(lsp.call("shutdown")["result"].is_null());
  lsp.notify("exit", nullptr);
  CHECK(lsp.wait_exit() == 0);
}

TEST_CASE("the language server answers a bad request with an error and goes on") {
  LspClient lsp(SCHEMAC_BINARY);
  CHECK(lsp.call("textDocument/hover", {{"textDocument", {{"uri", "file:///nowhere.schema"}}}})["error"]["code"] ==
        -32002);
  lsp.call("initialize", {{"processId", nullptr}, {"capabilities", Json::object()}});
  CHECK(lsp.call("no/such/method", Json::object())["error"]["code"] == -32601);
  CHECK(lsp.call("textDocument/hover", Json::object())["error"]["code"] == -32603);
  // A buffer that is no file: checked on its own, its diagnostics under its own URI.
  lsp.notify("textDocument/didOpen", {{"textDocument",
                                       {{"uri", "untitled:Untitled-1"},
                                        {"languageId", "schemac"},
                                        {"version", 1},
                                        {"text", "table t {\n  id bigint primary key\n  x nosuchtype\n}\n"}}}});
  lsp.notify("textDocument/didOpen", {{"textDocument",
                                       {{"uri", "untitled:Untitled-2"},
                                        {"languageId", "schemac"},
                                        {"version", 1},
                                        {"text", "table t {\n  id bigint primary key\n}\n"}}}});
  auto diags = lsp.diagnostics_for("untitled:Untitled-1");
  REQUIRE(diags.size() == 1);  // not also a duplicate of Untitled-2's table
  CHECK(diags[0]["range"] == range(2, 4, 2, 14));
  // Positions out of range are an error, not a crash.
  CHECK(lsp.call("textDocument/hover", {{"textDocument", {{"uri", "untitled:Untitled-2"}}},
                                        {"position", {{"line", -1}, {"character", 1e30}}}})["error"]["code"] == -32603);
  CHECK(lsp.call("textDocument/hover", {{"textDocument", {{"uri", "untitled:Untitled-2"}}},
                                        {"position", {{"line", 99999999999LL}, {"character", 0}}}})["result"]
            .is_null());
  CHECK(lsp.call("shutdown")["result"].is_null());
  lsp.notify("exit", nullptr);
  CHECK(lsp.wait_exit() == 0);
}
