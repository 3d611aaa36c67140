#include "lsp/server.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "diag/report.hpp"
#include "driver/compile.hpp"
#include "emit/format.hpp"
#include "lint/lint.hpp"
#include "lsp/index.hpp"
#include "model/types.hpp"
#include "syntax/parser.hpp"
#include "syntax/shift.hpp"

namespace schemac::lsp {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// ---- JSON-RPC framing ---------------------------------------------------------------

class Connection {
 public:
  Connection(int in, int out) : in_(in), out_(out) {}

  // The next message; nullopt when the client closed its end. A body that is not
  // JSON is answered with a parse error and skipped. Headers without a valid
  // Content-Length leave no way to find the next message: the connection ends.
  std::optional<Json> read() {
    for (;;) {
      auto header_end = buffer_.find("\r\n\r\n");
      if (header_end == std::string::npos) {
        if (buffer_.size() > max_header || !fill(true)) return std::nullopt;
        continue;
      }
      auto length = content_length(std::string_view(buffer_).substr(0, header_end));
      if (!length) return std::nullopt;
      std::size_t body = header_end + 4;
      while (buffer_.size() - body < *length)
        if (!fill(true)) return std::nullopt;
      std::string text = buffer_.substr(body, *length);
      buffer_.erase(0, body + *length);
      try {
        return Json::parse(text);
      } catch (const Json::parse_error& e) {
        send({{"jsonrpc", "2.0"}, {"id", nullptr}, {"error", {{"code", -32700}, {"message", e.what()}}}});
      }
    }
  }

  // Whether a message is waiting (buffered whole, or bytes on the descriptor): the
  // server answers it before re-checking, so a burst of edits is checked once.
  bool pending() {
    auto header_end = buffer_.find("\r\n\r\n");
    if (header_end != std::string::npos) {
      auto length = content_length(std::string_view(buffer_).substr(0, header_end));
      if (!length || buffer_.size() - header_end - 4 >= *length) return true;  // a message, or the end
    }
    pollfd p{in_, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
  }

  void send(const Json& message) {
    std::string body = message.dump(-1, ' ', false, Json::error_handler_t::replace);
    std::string out = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    std::size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::write(out_, out.data() + done, out.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // the client is gone; the read loop ends next
      done += static_cast<std::size_t>(n);
    }
  }

 private:
  static constexpr std::size_t max_header = 64 * 1024;
  static constexpr std::size_t max_body = 256 * 1024 * 1024;

  // The Content-Length header's value (case-insensitive name, at the start of a header
  // line); nullopt when there is none or it is not a number up to max_body.
  static std::optional<std::size_t> content_length(std::string_view headers) {
    static constexpr std::string_view name = "content-length:";
    std::size_t line = 0;
    while (line < headers.size()) {
      std::size_t end = headers.find("\r\n", line);
      std::string_view h = headers.substr(line, end == std::string_view::npos ? std::string_view::npos : end - line);
      if (h.size() > name.size() && std::equal(name.begin(), name.end(), h.begin(), [](char a, char b) {
            return a == std::tolower(static_cast<unsigned char>(b));
          })) {
        std::string_view value = h.substr(name.size());
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
        std::size_t n = 0;
        auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec != std::errc() || ptr != value.data() + value.size() || n > max_body) return std::nullopt;
        return n;
      }
      if (end == std::string_view::npos) break;
      line = end + 2;
    }
    return std::nullopt;
  }
  bool fill(bool) {
    char chunk[65536];
    for (;;) {
      ssize_t n = ::read(in_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
  }

  int in_, out_;
  std::string buffer_;
};

// ---- URIs -----------------------------------------------------------------------------

// A file: URI's path (percent-decoded). Any other URI (an editor's unsaved
// `untitled:` buffer, a remote file) stays as it is: a document of its own, never
// on disk, in a project of its own.
std::string uri_to_path(const std::string& uri) {
  if (uri.rfind("file:///", 0) != 0) return uri;
  std::string rest = uri.substr(7);
  std::string out;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() && std::isxdigit(static_cast<unsigned char>(rest[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(rest[i + 2]))) {
      out += static_cast<char>(std::stoi(rest.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += rest[i];
    }
  }
  return fs::path(out).lexically_normal().string();
}

std::string path_to_uri(const std::string& path) {
  if (path.empty() || path[0] != '/') return path;  // not a file: the client's own URI
  return "file://" + report::uri_path(path);
}

// ---- the schema directories ----------------------------------------------------------

// One file of a schema directory: the editor's buffer while it is open, else the disk's.
struct Entry {
  std::string text;
  bool open = false;
  // Of `text`, made when first needed after a change:
  bool parsed = false;
  bool syntax_ok = false;
  syntax::ParsedFile file;
  std::vector<Diagnostic> syntax_errors;  // located in file 0
  FileIndex index;
  bool indexed = false;  // index is of text
  std::unique_ptr<SourceFile> lines;
};

struct Project {
  std::map<std::string, Entry> files;  // by absolute path, in name order (as `check` reads them)
  bool dirty = true;                   // changed since its diagnostics were published
  std::set<std::string> published;     // the URIs last given diagnostics
};

void set_text(Entry& e, std::string text) {
  e.text = std::move(text);
  e.parsed = false;
  e.lines.reset();
}

const SourceFile& lines_of(Entry& e, const std::string& path) {
  if (!e.lines) e.lines = std::make_unique<SourceFile>(path, e.text);
  return *e.lines;
}

void ensure_parsed(Entry& e, const std::string& path) {
  if (e.parsed) return;
  Diagnostics diags;
  int id = diags.add_file(path, e.text);
  e.file = {};
  diags.set_kind("syntax");
  e.syntax_ok = syntax::parse_file(diags, id, e.file);
  e.syntax_errors = diags.all();
  e.indexed = false;
  e.parsed = true;
}

// The file's index, made when a question needs it (not on every edit).
const FileIndex& index_of(Entry& e, const std::string& path) {
  ensure_parsed(e, path);
  if (!e.indexed) {
    e.index = index_file(e.file.ast, e.text);
    e.indexed = true;
  }
  return e.index;
}

Json position(const SourceFile& f, std::uint32_t offset) {
  auto p = f.utf16(offset);
  return {{"line", p.line}, {"character", p.character}};
}

Json range(const SourceFile& f, std::uint32_t begin, std::uint32_t end) {
  return {{"start", position(f, begin)}, {"end", position(f, end)}};
}

// An LSP Position: non-negative integers, clamped (a number out of range is no crash).
SourceFile::Utf16Position position_of(const Json& pos) {
  auto number = [&](const char* key) -> std::uint32_t {
    const Json& v = pos.at(key);
    if (v.is_number_unsigned())
      return static_cast<std::uint32_t>(std::min<std::uint64_t>(v.get<std::uint64_t>(), UINT32_MAX));
    if (v.is_number_integer()) return 0;  // negative
    throw std::invalid_argument(std::string("position.") + key + " is not a non-negative integer");
  };
  return {number("line"), number("character")};
}

// Keys of one declaration: equal, or a type named anywhere and an extern type of that
// name (the resolver finds extern types by name alone).
bool same(const std::string& a, const std::string& b) {
  if (a == b) return true;
  if (a.rfind("type:", 0) != 0 || b.rfind("type:", 0) != 0) return false;
  auto is_extern = [](const std::string& k) { return k.rfind("type:extern.", 0) == 0; };
  if (!is_extern(a) && !is_extern(b)) return false;
  return a.substr(a.rfind('.') + 1) == b.substr(b.rfind('.') + 1);
}

bool contains(const ast::Span& s, std::uint32_t offset) {
  return s.begin <= offset && offset <= s.end && s.end > s.begin;
}

const std::vector<std::string>& keywords() {
  static const std::vector<std::string> list = {"table",
                                                "partition",
                                                "extern table",
                                                "extern type",
                                                "extern function",
                                                "enum",
                                                "domain",
                                                "type",
                                                "function",
                                                "procedure",
                                                "view",
                                                "materialized view",
                                                "sequence",
                                                "role",
                                                "schema",
                                                "extension",
                                                "archive",
                                                "drop table",
                                                "drop column",
                                                "data",
                                                "retain",
                                                "assert",
                                                "query",
                                                "grant",
                                                "revoke",
                                                "default privileges",
                                                "primary key",
                                                "unique",
                                                "references",
                                                "check",
                                                "index",
                                                "unique index",
                                                "exclude",
                                                "policy",
                                                "trigger",
                                                "row level security",
                                                "force row level security",
                                                "on delete cascade",
                                                "on delete set null",
                                                "on delete restrict",
                                                "default",
                                                "generated always as",
                                                "identity",
                                                "was",
                                                "distributed by",
                                                "reference",
                                                "colocate with",
                                                "partition by",
                                                "returns",
                                                "language",
                                                "security definer",
                                                "stable",
                                                "immutable",
                                                "volatile",
                                                "strict",
                                                "unlogged table",
                                                "security_invoker",
                                                "nulls not distinct",
                                                "deferrable",
                                                "initially deferred",
                                                "with check",
                                                "using",
                                                "for each row",
                                                "before",
                                                "after",
                                                "instead of",
                                                "execute",
                                                "insert",
                                                "update",
                                                "delete",
                                                "select",
                                                "to",
                                                "owned by",
                                                "include",
                                                "where"};
  return list;
}

class Server {
 public:
  Server(int in, int out) : conn_(in, out) {}

  int run() {
    for (;;) {
      if (!conn_.pending()) {
        try {
          publish_dirty();
        } catch (const std::exception& e) {  // a bug of schemac's: said, and the server goes on
          std::cerr << "schemac lsp: internal error while checking: " << e.what() << "\n";
        }
      }
      auto message = conn_.read();
      if (!message) return 1;  // the client closed its end without `exit`
      if (!message->is_object()) continue;
      bool request = message->contains("id");
      if (message->contains("method") && !(*message)["method"].is_string()) {
        if (request)
          conn_.send({{"jsonrpc", "2.0"},
                      {"id", (*message)["id"]},
                      {"error", {{"code", -32600}, {"message", "method is not a string"}}}});
        continue;
      }
      std::string method = message->value("method", "");
      if (method == "exit") return shut_down_ ? 0 : 1;
      try {
        Json result = handle(method, message->value("params", Json::object()), request);
        if (request) conn_.send({{"jsonrpc", "2.0"}, {"id", (*message)["id"]}, {"result", result}});
      } catch (const RpcError& e) {
        if (request)
          conn_.send(
              {{"jsonrpc", "2.0"}, {"id", (*message)["id"]}, {"error", {{"code", e.code}, {"message", e.what()}}}});
      } catch (const std::exception& e) {  // never die on one bad message: say what went wrong
        if (request)
          conn_.send(
              {{"jsonrpc", "2.0"}, {"id", (*message)["id"]}, {"error", {{"code", -32603}, {"message", e.what()}}}});
      }
    }
  }

 private:
  struct RpcError : std::runtime_error {
    int code;
    RpcError(int c, const std::string& m) : std::runtime_error(m), code(c) {}
  };

  Json handle(const std::string& method, const Json& params, bool request) {
    if (method == "initialize") return initialize();
    if (method == "shutdown") {
      shut_down_ = true;
      return nullptr;
    }
    if (!initialized_ && request) throw RpcError(-32002, "the server is not initialized");
    if (method == "textDocument/didOpen") {
      const auto& doc = params.at("textDocument");
      open(uri_to_path(doc.at("uri")), doc.at("text"));
    } else if (method == "textDocument/didChange") {
      change(uri_to_path(params.at("textDocument").at("uri")), params.at("contentChanges"));
    } else if (method == "textDocument/didClose") {
      close(uri_to_path(params.at("textDocument").at("uri")));
    } else if (method == "workspace/didChangeWatchedFiles") {
      for (const auto& c : params.value("changes", Json::array())) reload(uri_to_path(c.at("uri")));
    } else if (method == "textDocument/hover") {
      return hover(params);
    } else if (method == "textDocument/definition") {
      return definition(params);
    } else if (method == "textDocument/references") {
      return references(params);
    } else if (method == "textDocument/documentSymbol") {
      return document_symbols(params);
    } else if (method == "textDocument/formatting") {
      return formatting(params);
    } else if (method == "textDocument/completion") {
      return completion(params);
    } else if (request) {
      throw RpcError(-32601, "method not supported: " + method);
    }
    return nullptr;
  }

  Json initialize() {
    initialized_ = true;
    return {{"capabilities",
             {{"positionEncoding", "utf-16"},
              {"textDocumentSync", {{"openClose", true}, {"change", 2}}},
              {"hoverProvider", true},
              {"definitionProvider", true},
              {"referencesProvider", true},
              {"documentSymbolProvider", true},
              {"documentFormattingProvider", true},
              {"completionProvider", {{"triggerCharacters", {".", "("}}}}}},
            {"serverInfo", {{"name", "schemac"}, {"version", SCHEMAC_VERSION}}}};
  }

  // ---- documents

  Project& project_of(const std::string& path) {
    bool on_disk = !path.empty() && path[0] == '/';
    std::string dir = on_disk ? fs::path(path).parent_path().string() : path;
    auto [it, fresh] = projects_.try_emplace(dir);
    if (fresh && on_disk) {
      std::error_code ec;
      for (fs::directory_iterator d(dir, ec), end; !ec && d != end; d.increment(ec)) {
        if (d->path().extension() != ".schema" || !d->is_regular_file()) continue;
        try {
          set_text(it->second.files[d->path().lexically_normal().string()], read_schema_file(d->path()));
        } catch (const EnvironmentError&) {  // unreadable: the file is left out, as it would be of nothing
        }
      }
    }
    return it->second;
  }

  void open(const std::string& path, const std::string& text) {
    Project& p = project_of(path);
    Entry& e = p.files[path];
    e.open = true;
    set_text(e, text);
    p.dirty = true;
  }

  void change(const std::string& path, const Json& changes) {
    Project& p = project_of(path);
    Entry& e = p.files[path];
    for (const auto& c : changes) {
      if (!c.contains("range")) {
        set_text(e, c.at("text"));
        continue;
      }
      const SourceFile& f = lines_of(e, path);
      const auto& r = c.at("range");
      auto at = [&](const Json& pos) { return f.offset_of(position_of(pos)); };
      std::uint32_t begin = at(r.at("start")), end = std::max(begin, at(r.at("end")));
      std::string replacement = c.at("text").get<std::string>();
      // Within one declaration of a file that parsed: only that declaration is parsed again.
      if (e.parsed && e.syntax_ok && syntax::reparse_edit(e.file.ast, e.text, begin, end, replacement)) {
        e.lines.reset();
        e.indexed = false;
        continue;
      }
      std::string text = e.text;
      text.replace(begin, end - begin, replacement);
      set_text(e, std::move(text));
    }
    p.dirty = true;
  }

  void close(const std::string& path) {
    Project& p = project_of(path);
    auto it = p.files.find(path);
    if (it == p.files.end()) return;
    it->second.open = false;
    reload(path);
  }

  // The disk's text of a file that is not open (changed, created or deleted there).
  void reload(const std::string& path) {
    Project& p = project_of(path);
    auto it = p.files.find(path);
    if (it != p.files.end() && it->second.open) return;
    std::error_code ec;
    if (fs::path(path).extension() != ".schema" || !fs::is_regular_file(path, ec)) {
      if (it != p.files.end()) p.files.erase(it);
    } else {
      try {
        set_text(p.files[path], read_schema_file(path));
      } catch (const EnvironmentError&) {
        p.files.erase(path);
      }
    }
    p.dirty = true;
  }

  // ---- diagnostics

  void publish_dirty() {
    for (auto& [dir, p] : projects_)
      if (p.dirty) publish(p);
  }

  // Compiles the directory (parsing only what changed), lints it when it compiles,
  // and publishes every file's diagnostics, clearing those of files now clean.
  void publish(Project& p) {
    p.dirty = false;
    Diagnostics diags;
    std::vector<std::pair<std::string, Entry*>> order;
    bool syntax_ok = true;
    for (auto& [path, e] : p.files) {
      int id = diags.add_file(path, e.text);
      ensure_parsed(e, path);
      for (Diagnostic d : e.syntax_errors) {
        d.where.file = id;
        for (auto& n : d.notes) n.where.file = id;
        diags.add(std::move(d));
      }
      syntax_ok &= e.syntax_ok;
      order.push_back({path, &e});
    }
    if (syntax_ok && !order.empty()) {
      LoadedSchema loaded;
      for (std::size_t i = 0; i < order.size(); ++i) {
        Entry& e = *order[i].second;
        e.parsed = false;  // its syntax tree is lent to the compile below
        loaded.files.push_back(std::move(e.file));
        loaded.files.back().file_id = static_cast<int>(i);
        loaded.paths.push_back(order[i].first);
      }
      resolve_parsed(loaded, diags);
      if (!diags.has_errors()) lint::lint_schema(loaded, nullptr, diags);
      for (std::size_t i = 0; i < order.size(); ++i) {
        order[i].second->file = std::move(loaded.files[i]);
        order[i].second->parsed = true;
      }
    }
    std::vector<Json> per_file(order.size(), Json::array());
    for (const auto* d : diags.sorted()) {
      if (d->where.file < 0) continue;
      per_file[static_cast<std::size_t>(d->where.file)].push_back(diagnostic(diags, *d));
    }
    std::set<std::string> published;
    for (std::size_t i = 0; i < order.size(); ++i) {
      std::string uri = path_to_uri(order[i].first);
      if (per_file[i].empty() && !p.published.count(uri)) continue;
      conn_.send({{"jsonrpc", "2.0"},
                  {"method", "textDocument/publishDiagnostics"},
                  {"params", {{"uri", uri}, {"diagnostics", per_file[i]}}}});
      if (!per_file[i].empty()) published.insert(uri);
    }
    for (const auto& uri : p.published)  // files that left the directory
      if (!published.count(uri) && !p.files.count(uri_to_path(uri)))
        conn_.send({{"jsonrpc", "2.0"},
                    {"method", "textDocument/publishDiagnostics"},
                    {"params", {{"uri", uri}, {"diagnostics", Json::array()}}}});
    p.published = std::move(published);
  }

  static Json diagnostic(const Diagnostics& diags, const Diagnostic& d) {
    const SourceFile& f = diags.file(d.where.file);
    Range r = diags.range(d.where);
    std::string message = d.message;
    Json related = Json::array();
    for (const auto& n : d.notes) {
      if (n.where.file < 0) {
        message += "\nnote: " + n.message;
        continue;
      }
      const SourceFile& nf = diags.file(n.where.file);
      Range nr = diags.range(n.where);
      related.push_back({{"location", {{"uri", path_to_uri(nf.path())}, {"range", range(nf, nr.begin, nr.end)}}},
                         {"message", n.message}});
    }
    Json out = {{"range", range(f, r.begin, r.end)},
                {"severity", d.severity == Severity::error ? 1 : 2},
                {"source", "schemac"},
                {"message", message}};
    if (!d.code.empty()) out["code"] = d.code;
    if (!related.empty()) out["relatedInformation"] = related;
    return out;
  }

  // ---- questions about a place

  struct Place {
    Project* project = nullptr;
    std::string path;
    Entry* entry = nullptr;
    std::uint32_t offset = 0;
  };

  Place place(const Json& params) {
    Place pl;
    pl.path = uri_to_path(params.at("textDocument").at("uri"));
    pl.project = &project_of(pl.path);
    auto it = pl.project->files.find(pl.path);
    if (it == pl.project->files.end()) throw RpcError(-32602, "unknown document: " + pl.path);
    pl.entry = &it->second;
    ensure_parsed(*pl.entry, pl.path);
    if (params.contains("position")) {
      const auto& pos = params.at("position");
      pl.offset = lines_of(*pl.entry, pl.path).offset_of(position_of(pos));
    }
    return pl;
  }

  // The key of the name under the cursor (a use or a declaration), and the
  // declaration itself when it is one.
  std::pair<std::string, const Symbol*> key_at(const Place& pl) {
    const FileIndex& ix = index_of(*pl.entry, pl.path);
    const Use* best = nullptr;
    for (const auto& u : ix.uses)
      if (contains(u.span, pl.offset) && (!best || u.span.end - u.span.begin < best->span.end - best->span.begin))
        best = &u;
    if (best) return {best->key, nullptr};
    const Symbol* sym = nullptr;
    for (const auto& s : ix.symbols)
      if (contains(s.name_span, pl.offset)) sym = &s;
    if (sym) return {sym->key, sym};
    return {};
  }

  template <typename F>
  void each_symbol(Project& p, F f) {
    for (auto& [path, e] : p.files) {
      ensure_parsed(e, path);
      for (const auto& s : index_of(e, path).symbols) f(path, e, s);
    }
  }

  Json location(const std::string& path, Entry& e, const ast::Span& span) {
    const SourceFile& f = lines_of(e, path);
    return {{"uri", path_to_uri(path)}, {"range", range(f, span.begin, span.end)}};
  }

  Json hover(const Json& params) {
    Place pl = place(params);
    auto [key, sym] = key_at(pl);
    std::string text;
    ast::Span span;
    if (sym && key.empty()) {
      text = "```schemac\n" + sym->detail + "\n```\n";
      span = sym->name_span;
    }
    if (!key.empty())
      each_symbol(*pl.project, [&](const std::string&, Entry&, const Symbol& s) {
        if (text.empty() && same(s.key, key)) text = s.hover;
      });
    if (text.empty()) return nullptr;
    return {{"contents", {{"kind", "markdown"}, {"value", text}}}};
  }

  Json definition(const Json& params) {
    Place pl = place(params);
    auto [key, sym] = key_at(pl);
    Json out = Json::array();
    if (key.empty()) return out;
    each_symbol(*pl.project, [&](const std::string& path, Entry& e, const Symbol& s) {
      if (same(s.key, key)) out.push_back(location(path, e, s.name_span));
    });
    return out;
  }

  Json references(const Json& params) {
    Place pl = place(params);
    auto [key, sym] = key_at(pl);
    Json out = Json::array();
    if (key.empty()) return out;
    bool declarations = params.value("context", Json::object()).value("includeDeclaration", true);
    for (auto& [path, e] : pl.project->files) {
      ensure_parsed(e, path);
      std::vector<ast::Span> spans;
      if (declarations)
        for (const auto& s : index_of(e, path).symbols)
          if (same(s.key, key)) spans.push_back(s.name_span);
      for (const auto& u : index_of(e, path).uses)
        if (same(u.key, key)) spans.push_back(u.span);
      std::sort(spans.begin(), spans.end(), [](const ast::Span& a, const ast::Span& b) { return a.begin < b.begin; });
      for (const auto& s : spans) out.push_back(location(path, e, s));
    }
    return out;
  }

  Json document_symbols(const Json& params) {
    Place pl = place(params);
    const auto& symbols = index_of(*pl.entry, pl.path).symbols;
    const SourceFile& f = lines_of(*pl.entry, pl.path);
    std::vector<Json> made(symbols.size());
    for (std::size_t i = 0; i < symbols.size(); ++i) {
      const auto& s = symbols[i];
      made[i] = {{"name", s.name.empty() ? "(unnamed)" : s.name},
                 {"kind", static_cast<int>(s.kind)},
                 {"range", range(f, s.span.begin, std::max(s.span.end, s.name_span.end))},
                 {"selectionRange", range(f, s.name_span.begin, s.name_span.end)},
                 {"children", Json::array()}};
      if (!s.detail.empty()) made[i]["detail"] = s.detail;
    }
    // Children first into their parents (a parent always precedes its children).
    for (std::size_t i = symbols.size(); i-- > 0;)
      if (symbols[i].parent >= 0) {
        auto& children = made[static_cast<std::size_t>(symbols[i].parent)]["children"];
        children.insert(children.begin(), made[i]);
      }
    Json out = Json::array();
    for (std::size_t i = 0; i < symbols.size(); ++i)
      if (symbols[i].parent < 0) out.push_back(made[i]);
    return out;
  }

  // The whole file in canonical form (`schemac fmt`): it needs a file that parses,
  // not a schema that checks.
  Json formatting(const Json& params) {
    Place pl = place(params);
    if (!pl.entry->syntax_ok) return nullptr;
    std::string formatted = emit::format_file(pl.entry->file.ast, pl.entry->text);
    Json edits = Json::array();
    if (formatted == pl.entry->text) return edits;
    const SourceFile& f = lines_of(*pl.entry, pl.path);
    edits.push_back(
        {{"range", range(f, 0, static_cast<std::uint32_t>(pl.entry->text.size()))}, {"newText", formatted}});
    return edits;
  }

  Json completion(const Json& params) {
    Place pl = place(params);
    const std::string& text = pl.entry->text;
    std::uint32_t word = pl.offset;
    while (word > 0 && (std::isalnum(static_cast<unsigned char>(text[word - 1])) || text[word - 1] == '_')) --word;
    std::size_t line_start = text.rfind('\n', word == 0 ? 0 : word - 1);
    line_start = line_start == std::string::npos || word == 0 ? 0 : line_start + 1;
    // The line up to the word (its last 256 bytes: std::regex recurses per character).
    std::size_t from = std::max<std::size_t>(line_start, word >= 256 ? word - 256 : 0);
    std::string before = text.substr(from, word - from);

    Json items = Json::array();
    std::set<std::string> seen;
    auto item = [&](const std::string& label, int kind, const std::string& detail) {
      if (!seen.insert(label).second) return;
      Json i = {{"label", label}, {"kind", kind}};
      if (!detail.empty()) i["detail"] = detail;
      items.push_back(i);
    };
    auto columns_of = [&](const std::string& table) {
      std::string prefix = column_key(table, "");
      each_symbol(*pl.project, [&](const std::string&, Entry&, const Symbol& s) {
        if (s.key.rfind(prefix, 0) == 0) item(s.name, 5, s.detail);
      });
    };
    auto tables = [&] {
      each_symbol(*pl.project, [&](const std::string&, Entry&, const Symbol& s) {
        if (s.key.rfind("table:", 0) == 0) item(s.name, 7, s.detail);
      });
    };
    auto types = [&] {
      for (const auto& b : model::builtin_types())
        item(std::string(b.spellings.empty() ? b.name : b.spellings[0]), 25, "");
      each_symbol(*pl.project, [&](const std::string&, Entry&, const Symbol& s) {
        if (s.key.rfind("type:", 0) == 0) item(s.name, 25, s.detail);
      });
    };

    static const std::regex referenced_columns(R"(references\s+((?:\w+\.)?\w+)\s*\(\s*(?:\w+\s*,\s*)*$)");
    static const std::regex table_expected(
        R"((?:references|colocate\s+with|\bof|archive|drop\s+table|\bretain(?:\s+[\w.]+\s*,)*)\s+$)");
    static const std::regex function_expected(R"(execute\s+$)");
    static const std::regex type_expected(R"(^\s*(?:\w+|"[^"]*")\s+$)");
    std::smatch m;
    if (std::regex_search(before, m, referenced_columns)) {
      std::string name = m[1].str();
      auto dot = name.find('.');
      columns_of("table:" + (dot == std::string::npos ? "public." + name : name));
    } else if (std::regex_search(before, table_expected)) {
      tables();
    } else if (std::regex_search(before, function_expected)) {
      each_symbol(*pl.project, [&](const std::string&, Entry&, const Symbol& s) {
        if (s.key.rfind("function:", 0) == 0) item(s.name, 3, s.detail);
      });
    } else if (const Symbol* table = enclosing_table(index_of(*pl.entry, pl.path), pl.offset)) {
      // In a table: a column's type after its name; the table's columns inside
      // parentheses (keys, indexes); else the members' keywords.
      int depth = 0;
      for (char c : before) depth += c == '(' ? 1 : c == ')' ? -1 : 0;
      if (depth > 0) {
        columns_of(table->key);
      } else if (std::regex_search(before, type_expected)) {
        types();
      } else {
        for (const auto& k : keywords()) item(k, 14, "");
      }
    } else {
      for (const auto& k : keywords()) item(k, 14, "");
      types();
      tables();
    }
    return {{"isIncomplete", false}, {"items", items}};
  }

  static const Symbol* enclosing_table(const FileIndex& index, std::uint32_t offset) {
    for (const auto& s : index.symbols)
      if (s.parent < 0 && s.key.rfind("table:", 0) == 0 && s.span.begin < offset && offset < s.span.end) return &s;
    return nullptr;
  }

  Connection conn_;
  std::map<std::string, Project> projects_;
  bool initialized_ = false;
  bool shut_down_ = false;
};

}  // namespace

int run_server(int in_fd, int out_fd) {
  ::signal(SIGPIPE, SIG_IGN);  // a client gone mid-write: write fails, the read loop ends, no signal kills us
  return Server(in_fd, out_fd).run();
}

}  // namespace schemac::lsp
