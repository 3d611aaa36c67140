#include "diag/report.hpp"

#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

namespace schemac::report {

using Json = nlohmann::json;

const std::vector<RuleInfo>& error_kinds() {
  static const std::vector<RuleInfo> kinds = {
      {"syntax", "syntax-error", "The file does not follow the .schema grammar.", Severity::error},
      {"schema", "schema-error",
       "The declarations do not make a valid schema: unknown or duplicate names, wrong types, invalid keys.",
       Severity::error},
      {"sql", "embedded-sql-error",
       "Embedded SQL (a view, policy, check, default or function body) does not parse or names what the schema "
       "does not declare.",
       Severity::error},
      {"plan", "plan-error", "The change from the snapshot to the schema cannot be planned as written.",
       Severity::error},
      {"lint", "lint-usage", "A lint:allow comment is malformed.", Severity::error},
  };
  return kinds;
}

std::string uri_path(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

static Json position(const SourceFile& f, std::uint32_t offset) {
  LineColumn lc = f.locate(offset);
  return {{"line", lc.line}, {"column", lc.column}, {"offset", offset}};
}

static Json one(const Diagnostics& diags, const Diagnostic& d) {
  Json j = {{"severity", severity_name(d.severity)}, {"message", d.message}};
  if (!d.code.empty()) j["code"] = d.code;
  if (d.where.file >= 0 && d.where.file < diags.file_count()) {
    const SourceFile& f = diags.file(d.where.file);
    Range r = diags.range(d.where);
    j["file"] = f.path();
    j["range"] = {{"start", position(f, r.begin)}, {"end", position(f, r.end)}};
  }
  if (!d.notes.empty()) {
    j["notes"] = Json::array();
    for (const auto& n : d.notes) j["notes"].push_back(one(diags, n));
  }
  return j;
}

std::string json(const Diagnostics& diags, const std::vector<Suppressed>& silenced) {
  nlohmann::json out = {{"diagnostics", nlohmann::json::array()}};
  std::size_t warnings = 0;
  for (const auto* d : diags.sorted()) {
    out["diagnostics"].push_back(one(diags, *d));
    warnings += d->severity == Severity::warning;
  }
  if (!silenced.empty()) {
    out["silenced"] = nlohmann::json::array();
    for (const auto& s : silenced) {
      Diagnostic d{Severity::warning, s.where, s.message, {}, s.code};
      auto j = one(diags, d);
      j.erase("severity");
      j["reason"] = s.justification;
      out["silenced"].push_back(j);
    }
  }
  out["errors"] = diags.error_count();
  out["warnings"] = warnings;
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

static nlohmann::json physical(const Diagnostics& diags, const Location& where) {
  const SourceFile& f = diags.file(where.file);
  Range r = diags.range(where);
  LineColumn start = f.locate(r.begin), end = f.locate(r.end);
  return {{"artifactLocation", {{"uri", uri_path(f.path())}}},
          {"region",
           {{"startLine", start.line},
            {"startColumn", start.column},
            {"endLine", end.line},
            {"endColumn", end.column},
            {"byteOffset", r.begin},
            {"byteLength", r.end - r.begin}}}};
}

std::string sarif(const Diagnostics& diags, const std::vector<RuleInfo>& rules, const std::string& version,
                  const std::vector<Suppressed>& silenced) {
  nlohmann::json rule_list = nlohmann::json::array();
  std::map<std::string, std::size_t> index;
  for (const auto& r : rules) {
    index[r.id] = rule_list.size();
    rule_list.push_back({{"id", r.id},
                         {"name", r.name},
                         {"shortDescription", {{"text", r.description}}},
                         {"defaultConfiguration", {{"level", severity_name(r.severity)}}}});
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto* d : diags.sorted()) {
    nlohmann::json result = {{"level", severity_name(d->severity)}, {"message", {{"text", d->message}}}};
    if (!d->code.empty()) {
      result["ruleId"] = d->code;
      if (auto it = index.find(d->code); it != index.end()) result["ruleIndex"] = it->second;
    }
    if (d->where.file >= 0 && d->where.file < diags.file_count())
      result["locations"] = {{{"physicalLocation", physical(diags, d->where)}}};
    nlohmann::json related = nlohmann::json::array();
    int id = 1;
    for (const auto& n : d->notes) {
      if (n.where.file < 0 || n.where.file >= diags.file_count()) {  // a note without a place: part of the text
        result["message"]["text"] = result["message"]["text"].get<std::string>() + "\nnote: " + n.message;
        continue;
      }
      related.push_back(
          {{"id", id++}, {"physicalLocation", physical(diags, n.where)}, {"message", {{"text", n.message}}}});
    }
    if (!related.empty()) result["relatedLocations"] = related;
    results.push_back(result);
  }
  for (const auto& s : silenced) {
    nlohmann::json result = {{"ruleId", s.code},
                             {"message", {{"text", s.message}}},
                             {"suppressions", {{{"kind", "inSource"}, {"justification", s.justification}}}}};
    if (auto it = index.find(s.code); it != index.end()) {
      result["ruleIndex"] = it->second;
      result["level"] = severity_name(rules[it->second].severity);
    }
    if (s.where.file >= 0 && s.where.file < diags.file_count())
      result["locations"] = {{{"physicalLocation", physical(diags, s.where)}}};
    results.push_back(result);
  }
  nlohmann::json log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                        {"version", "2.1.0"},
                        {"runs",
                         {{{"tool", {{"driver", {{"name", "schemac"}, {"version", version}, {"rules", rule_list}}}}},
                           {"columnKind", "unicodeCodePoints"},
                           {"results", results}}}}};
  return log.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace schemac::report
