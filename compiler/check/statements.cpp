#include "check/statements.hpp"

#include <pg_query.h>

#include <cctype>
#include <nlohmann/json.hpp>

namespace schemac::check {
namespace {

using nlohmann::json;

bool flag(const json& node, const char* key) { return node.contains(key) && node[key].is_boolean() && node[key]; }

// Whether a list of DefElem options (VACUUM's, REINDEX's) names `option`.
bool has_option(const json& node, const char* list, const char* option) {
  if (!node.contains(list) || !node[list].is_array()) return false;
  for (const auto& item : node[list])
    if (item.contains("DefElem") && item["DefElem"].value("defname", "") == option) return true;
  return false;
}

// What makes a statement impossible inside a transaction block, or "" (PostgreSQL's
// PreventInTransactionBlock callers that a data step may plausibly hold).
std::string outside_transaction(const std::string& kind, const json& node) {
  if (kind == "VacuumStmt") return flag(node, "is_vacuumcmd") ? "VACUUM" : "";  // ANALYZE alone may
  if (kind == "IndexStmt") return flag(node, "concurrent") ? "CREATE INDEX CONCURRENTLY" : "";
  if (kind == "DropStmt") return flag(node, "concurrent") ? "DROP INDEX CONCURRENTLY" : "";
  if (kind == "ReindexStmt") {
    std::string object = node.value("kind", "");
    if (object == "REINDEX_OBJECT_SYSTEM" || object == "REINDEX_OBJECT_DATABASE") return "REINDEX DATABASE|SYSTEM";
    return has_option(node, "params", "concurrently") ? "REINDEX CONCURRENTLY" : "";
  }
  if (kind == "ClusterStmt") return node.contains("relation") ? "" : "CLUSTER without a table";
  if (kind == "AlterSystemStmt") return "ALTER SYSTEM";
  if (kind == "CreatedbStmt") return "CREATE DATABASE";
  if (kind == "DropdbStmt") return "DROP DATABASE";
  if (kind == "CreateTableSpaceStmt") return "CREATE TABLESPACE";
  if (kind == "DropTableSpaceStmt") return "DROP TABLESPACE";
  if (kind == "CreateSubscriptionStmt") return "CREATE SUBSCRIPTION";
  if (kind == "DropSubscriptionStmt") return "DROP SUBSCRIPTION";
  if (kind == "AlterTableStmt" && node.contains("cmds"))
    for (const auto& cmd : node["cmds"]) {
      const json& c = cmd.contains("AlterTableCmd") ? cmd["AlterTableCmd"] : cmd;
      if (c.value("subtype", "") == "AT_DetachPartition" && c.contains("def") && c["def"].contains("PartitionCmd") &&
          flag(c["def"]["PartitionCmd"], "concurrent"))
        return "DETACH PARTITION CONCURRENTLY";
    }
  return "";
}

std::string transaction_control(const json& node) {
  std::string kind = node.value("kind", "");
  const std::string prefix = "TRANS_STMT_";
  if (kind.rfind(prefix, 0) == 0) kind = kind.substr(prefix.size());
  for (auto& c : kind)
    if (c == '_') c = ' ';
  return kind.empty() ? "a transaction statement" : kind;
}

}  // namespace

Statements classify_statements(const std::string& sql) {
  Statements out;
  PgQueryParseResult r = pg_query_parse(sql.c_str());
  if (!r.error) {
    json tree = json::parse(r.parse_tree, nullptr, false);
    if (tree.is_object() && tree.contains("stmts"))
      for (const auto& s : tree["stmts"]) {
        if (!s.contains("stmt") || !s["stmt"].is_object() || s["stmt"].empty()) continue;
        auto first = s["stmt"].begin();
        std::string kind = first.key();
        const json& node = first.value();
        std::size_t location = s.value("stmt_location", std::size_t{0});
        while (location < sql.size() && std::isspace(static_cast<unsigned char>(sql[location]))) ++location;
        if (kind == "TruncateStmt" && node.contains("relations"))
          for (const auto& r : node["relations"])
            if (r.contains("RangeVar"))
              out.truncated.push_back({r["RangeVar"].value("schemaname", ""), r["RangeVar"].value("relname", ""),
                                       r["RangeVar"].value("location", location)});
        if (kind == "TransactionStmt")
          out.transaction_control.push_back({transaction_control(node), location});
        else if (std::string what = outside_transaction(kind, node); !what.empty())
          out.outside_transaction.push_back({what, location});
      }
  }
  pg_query_free_parse_result(r);
  return out;
}

}  // namespace schemac::check
