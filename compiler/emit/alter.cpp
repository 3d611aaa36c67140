#include "emit/alter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "emit/ddl.hpp"
#include "model/names.hpp"

namespace schemac::emit {

using model::QualifiedName;
using names::quote;

// ---- renames and moves

std::string rename_table(const QualifiedName& table, const std::string& to) {
  return fmt::format("ALTER TABLE {} RENAME TO {};", table.sql(), quote(to));
}
std::string set_logged(const QualifiedName& table, bool logged) {
  return fmt::format("ALTER TABLE {} SET {};", table.sql(), logged ? "LOGGED" : "UNLOGGED");
}

std::string set_table_schema(const QualifiedName& table, const std::string& schema) {
  return fmt::format("ALTER TABLE {} SET SCHEMA {};", table.sql(), quote(schema));
}
std::string rename_column(const QualifiedName& table, const std::string& from, const std::string& to) {
  return fmt::format("ALTER TABLE {} RENAME COLUMN {} TO {};", table.sql(), quote(from), quote(to));
}
std::string rename_constraint(const QualifiedName& table, const std::string& from, const std::string& to) {
  return fmt::format("ALTER TABLE {} RENAME CONSTRAINT {} TO {};", table.sql(), quote(from), quote(to));
}
std::string rename_index(const QualifiedName& index, const std::string& to) {
  return fmt::format("ALTER INDEX {} RENAME TO {};", index.sql(), quote(to));
}
std::string rename_sequence_if_exists(const QualifiedName& sequence, const std::string& to) {
  return fmt::format("ALTER SEQUENCE IF EXISTS {} RENAME TO {};", sequence.sql(), quote(to));
}
std::string rename_type(const QualifiedName& type, const std::string& to) {
  return fmt::format("ALTER TYPE {} RENAME TO {};", type.sql(), quote(to));
}

// ---- drops

std::string drop_schema(const std::string& schema) { return "DROP SCHEMA " + quote(schema) + ";"; }
std::string drop_type(const QualifiedName& type) { return "DROP TYPE " + type.sql() + ";"; }
std::string drop_domain(const QualifiedName& domain) { return "DROP DOMAIN " + domain.sql() + ";"; }
std::string drop_sequence(const QualifiedName& sequence) { return "DROP SEQUENCE " + sequence.sql() + ";"; }
std::string alter_domain(const QualifiedName& domain, const std::string& clause) {
  return "ALTER DOMAIN " + domain.sql() + " " + clause + ";";
}
std::string alter_type(const QualifiedName& type, const std::string& clause) {
  return "ALTER TYPE " + type.sql() + " " + clause + ";";
}
std::string drop_table(const QualifiedName& table) { return "DROP TABLE " + table.sql() + ";"; }
std::string drop_view(const QualifiedName& view, bool materialized) {
  return fmt::format("DROP {} {};", materialized ? "MATERIALIZED VIEW" : "VIEW", view.sql());
}
std::string drop_index(const QualifiedName& index) { return "DROP INDEX " + index.sql() + ";"; }
std::string drop_constraint(const QualifiedName& table, const std::string& constraint) {
  return fmt::format("ALTER TABLE {} DROP CONSTRAINT {};", table.sql(), quote(constraint));
}
std::string drop_policy(const QualifiedName& table, const std::string& policy) {
  return fmt::format("DROP POLICY {} ON {};", quote(policy), table.sql());
}
std::string drop_trigger(const QualifiedName& table, const std::string& trigger) {
  return fmt::format("DROP TRIGGER {} ON {};", quote(trigger), table.sql());
}
std::string drop_function(const model::Function& f) {
  return (f.procedure ? "DROP PROCEDURE " : "DROP FUNCTION ") + function_signature(f) + ";";
}

// ---- columns

std::string add_column(const QualifiedName& table, const model::Column& column) {
  return fmt::format("ALTER TABLE {} ADD COLUMN {};", table.sql(), column_definition(column));
}
std::string drop_column(const QualifiedName& table, const std::string& column) {
  return fmt::format("ALTER TABLE {} DROP COLUMN {};", table.sql(), quote(column));
}

namespace {
std::string alter_column(const QualifiedName& table, const std::string& column, const std::string& action) {
  return fmt::format("ALTER TABLE {} ALTER COLUMN {} {};", table.sql(), quote(column), action);
}
}  // namespace

std::string alter_column_type(const QualifiedName& table, const std::string& column, const model::Type& type,
                              bool through_text) {
  return alter_column(
      table, column,
      fmt::format("TYPE {0} USING {1}::{2}{0}", type.sql(), quote(column), through_text ? "text::" : ""));
}
std::string set_column_default(const QualifiedName& table, const std::string& column, const std::string& expression) {
  return alter_column(table, column, "SET DEFAULT " + expression);
}
std::string drop_column_default(const QualifiedName& table, const std::string& column) {
  return alter_column(table, column, "DROP DEFAULT");
}
std::string set_column_not_null(const QualifiedName& table, const std::string& column, bool not_null) {
  return alter_column(table, column, not_null ? "SET NOT NULL" : "DROP NOT NULL");
}
std::string drop_column_expression(const QualifiedName& table, const std::string& column) {
  return alter_column(table, column, "DROP EXPRESSION");
}
std::string add_column_identity(const QualifiedName& table, const std::string& column) {
  return alter_column(table, column, "ADD GENERATED ALWAYS AS IDENTITY");
}
std::string drop_column_identity(const QualifiedName& table, const std::string& column) {
  return alter_column(table, column, "DROP IDENTITY");
}

// ---- retained data

namespace {
// A column of the copy: as it is, or as text when its type is one the schema declares.
std::string kept(const model::Column& c) {
  return c.type.named_type ? fmt::format("{0}::text AS {0}", quote(c.name)) : quote(c.name);
}
// Statements run with FORCE ROW LEVEL SECURITY lifted, so that the owner sees every row.
std::string unforced(const Retention& r, std::string statements) {
  if (!r.forced_row_security) return statements;
  return row_level_security(r.table, "NO FORCE") + "\n" + statements + "\n" + row_level_security(r.table, "FORCE");
}
}  // namespace

std::string retain_column(const Retention& r, const model::Column& column, const std::string& note) {
  std::string columns;
  for (const model::Column* k : r.key) columns += kept(*k) + ", ";
  // Created only when missing: CREATE SCHEMA IF NOT EXISTS needs the right to create
  // schemas in the database even when the schema is there.
  return fmt::format(
             "DO $schemac$ BEGIN IF to_regnamespace({0}) IS NULL THEN CREATE SCHEMA {1}; END IF; END "
             "$schemac$;\n",
             sql_string(quote(r.copy.schema)), quote(r.copy.schema)) +
         unforced(r, fmt::format("CREATE TABLE {} AS SELECT {}{} FROM {};", r.copy.sql(), columns, kept(column),
                                 r.table.sql())) +
         "\n" + comment_on_text("TABLE " + r.copy.sql(), note);
}

namespace {
// The relations that move with a kept table and are renamed: its indexes (those left
// back constraints) and the sequences its columns own (serial, identity). `t` names
// the table (a regclass expression).
std::string moved_along(const std::string& t) {
  return fmt::format(
      "SELECT c.oid, c.relname, CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'INDEX' END AS kind FROM pg_class c "
      "WHERE c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = {0}) OR (c.relkind = 'S' AND c.oid IN "
      "(SELECT objid FROM pg_depend WHERE classid = 'pg_class'::regclass AND refobjid = {0} AND deptype IN ('a', "
      "'i')))",
      t);
}
}  // namespace

std::string retain_table_function() {
  return fmt::format(
      R"(CREATE OR REPLACE FUNCTION pg_temp.schemac_retain(t regclass, kept text, note text, only_with_rows boolean)
RETURNS void LANGUAGE plpgsql AS $schemac_retain$
DECLARE
  s text := (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = t);
  base text := kept;
  short text := kept;  -- at most 50 bytes (identifiers are cut at 63 bytes, not characters)
  number integer := 1;
  has_rows boolean;
  r record;
BEGIN
  EXECUTE format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY', t);
  IF only_with_rows THEN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s)', t) INTO has_rows;
    IF NOT has_rows THEN
      EXECUTE format('DROP TABLE %s', t);
      RETURN;
    END IF;
    WHILE octet_length(short) > 50 LOOP
      short := left(short, -1);
    END LOOP;
    WHILE to_regclass(format('%I.%I', {0}, kept)) IS NOT NULL LOOP
      number := number + 1;
      kept := short || '_' || number;
    END LOOP;
    short := kept;
  END IF;
  WHILE octet_length(short) > 50 LOOP
    short := left(short, -1);
  END LOOP;
  IF to_regnamespace({1}) IS NULL THEN
    CREATE SCHEMA {2};
  END IF;
  -- what ties it to other objects goes (restored by the down that restores it)
  FOR r IN SELECT conname FROM pg_constraint WHERE conrelid = t AND contype IN ('f', 'c') AND conparentid = 0 LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', t, r.conname);
  END LOOP;
  FOR r IN SELECT tgname FROM pg_trigger WHERE tgrelid = t AND NOT tgisinternal LOOP
    EXECUTE format('DROP TRIGGER %I ON %s', r.tgname, t);
  END LOOP;
  FOR r IN SELECT polname FROM pg_policy WHERE polrelid = t LOOP
    EXECUTE format('DROP POLICY %I ON %s', r.polname, t);
  END LOOP;
  FOR r IN SELECT DISTINCT a.grantee FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = t AND a.grantee <> c.relowner LOOP
    EXECUTE format('REVOKE ALL ON %s FROM %s CASCADE', t, CASE r.grantee WHEN 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r.grantee)) END);
  END LOOP;
  FOR r IN SELECT c.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
      WHERE x.indrelid = t AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) LOOP
    EXECUTE format('DROP INDEX %I.%I', s, r.relname);
  END LOOP;
  FOR r IN SELECT attname, attgenerated FROM pg_attribute WHERE attrelid = t AND attnum > 0 AND NOT attisdropped AND atthasdef LOOP
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I %s', t, r.attname, CASE r.attgenerated WHEN 's' THEN 'DROP EXPRESSION' ELSE 'DROP DEFAULT' END);
  END LOOP;
  -- values of the schema's own types (not an extension's) kept as text
  FOR r IN SELECT a.attname, ty.typtype = 'b' AND ty.typelem <> 0 AND ty.typcategory = 'A' AS is_array
      FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
      JOIN pg_type e ON e.oid = CASE WHEN ty.typtype = 'b' AND ty.typelem <> 0 AND ty.typcategory = 'A' THEN ty.typelem ELSE ty.oid END
      WHERE a.attrelid = t AND a.attnum > 0 AND NOT a.attisdropped AND e.typtype IN ('e', 'd', 'c')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = e.oid AND d.deptype = 'e') LOOP
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I TYPE %s USING %I::%s', t, r.attname,
      CASE WHEN r.is_array THEN 'text[]' ELSE 'text' END, r.attname, CASE WHEN r.is_array THEN 'text[]' ELSE 'text' END);
  END LOOP;
  -- its key indexes and sequences move along, under names no other kept table has
  FOR r IN {3} LOOP
    EXECUTE format('COMMENT ON %s %I.%I IS %L', r.kind, s, r.relname, 'schemac: was ' || r.relname);
    EXECUTE format('ALTER %s %I.%I RENAME TO %I', r.kind, s, r.relname, short || '_' || left(md5(kept || '.' || r.relname), 12));
  END LOOP;
  EXECUTE format('ALTER TABLE %s RENAME TO %I', t, kept);
  EXECUTE format('ALTER TABLE %I.%I SET SCHEMA %I', s, kept, {0});
  EXECUTE format('COMMENT ON TABLE %I.%I IS %L', {0}, kept, note);
END
$schemac_retain$;)",
      sql_string(retention_schema), sql_string(quote(retention_schema)), quote(retention_schema), moved_along("t"));
}

std::string retain_table(const QualifiedName& table, const QualifiedName& kept, const std::string& note,
                         bool only_with_rows) {
  return fmt::format("SELECT pg_temp.schemac_retain({}, {}, {}, {});", sql_string(table.sql()), sql_string(kept.name),
                     sql_string(note), only_with_rows ? "true" : "false");
}

std::string purged_guard(const QualifiedName& kept, const std::string& message) {
  return fmt::format(
      "DO $schemac$ BEGIN IF to_regclass({}) IS NULL THEN RAISE EXCEPTION '%', {}; END IF; END $schemac$;",
      sql_string(kept.sql()), sql_string(message));
}

std::string serial_default(const QualifiedName& table, const std::string& column) {
  return "nextval(" +
         sql_string(QualifiedName{table.schema, names::make_object_name(table.name, column, "seq")}.sql()) +
         "::regclass)";
}

std::string restore_table(const model::Table& t, const QualifiedName& kept, const QualifiedName* serial_owner) {
  std::string out = purged_guard(kept, "table " + t.name.display() + " kept in " + kept.display() +
                                           " was purged (schemac migrate purge); this down cannot restore it") +
                    "\n";
  out += set_table_schema(kept, t.name.schema) + "\n";
  out += rename_table({t.name.schema, kept.name}, t.name.name) + "\n";
  out += fmt::format(
      "DO $schemac$ DECLARE r record; BEGIN FOR r IN {0} LOOP IF obj_description(r.oid, 'pg_class') LIKE 'schemac: "
      "was %' THEN EXECUTE format('ALTER %s %I.%I RENAME TO %I', r.kind, {1}, r.relname, "
      "substr(obj_description(r.oid, 'pg_class'), 14)); EXECUTE format('COMMENT ON %s %I.%I IS NULL', r.kind, {1}, "
      "substr(obj_description(r.oid, 'pg_class'), 14)); END IF; END LOOP; END $schemac$;\n",
      moved_along(sql_string(t.name.sql()) + "::regclass"), sql_string(t.name.schema));
  out += "COMMENT ON TABLE " + t.name.sql() + " IS NULL;";
  std::set<std::string> regenerated;  // generated columns, added again (their keys go with the drop)
  for (const auto& c : t.columns) {
    if (c.generated_sql) {
      out += "\n" + drop_column(t.name, c.name) + "\n" + add_column(t.name, c);
      regenerated.insert(c.name);
      continue;
    }
    // Kept as text (emit::retain_table_function): a declared type always, an extern one
    // when the database does not say it is an extension's.
    std::string convert = fmt::format("ALTER TABLE {} ALTER COLUMN {} TYPE {} USING {}::{};", t.name.sql(),
                                      quote(c.name), c.type.sql(), quote(c.name), c.type.sql());
    if (c.type.kind == model::TypeKind::enumeration || c.type.kind == model::TypeKind::domain ||
        c.type.kind == model::TypeKind::composite)
      out += "\n" + convert;
    else if (c.type.kind == model::TypeKind::external)
      out += fmt::format(
          "\nDO $schemac$ BEGIN IF (SELECT atttypid FROM pg_attribute WHERE attrelid = {}::regclass AND attname = {}) "
          "IN ('text'::regtype, 'text[]'::regtype) THEN {} END IF; END $schemac$;",
          sql_string(t.name.sql()), sql_string(c.name), convert);
    std::optional<std::string> def = c.default_sql;
    if (c.serial) def = serial_default(serial_owner ? *serial_owner : t.name, c.name);
    if (def) out += "\n" + set_column_default(t.name, c.name, *def);
  }
  for (const auto& c : t.constraints) {
    bool on_regenerated = std::any_of(c.columns.begin(), c.columns.end(),
                                      [&](const std::string& n) { return regenerated.count(n) > 0; }) ||
                          std::any_of(c.elements.begin(), c.elements.end(),
                                      [&](const model::IndexElement& e) { return regenerated.count(e.column) > 0; });
    bool key = c.kind == model::ConstraintKind::primary_key || c.kind == model::ConstraintKind::unique ||
               c.kind == model::ConstraintKind::exclusion;
    if (c.kind == model::ConstraintKind::check || (key && on_regenerated)) out += "\n" + add_constraint(t, c);
  }
  return out;
}

namespace {
// Values travel as text between the step and its down, which may run in another
// session: the settings that shape their text are fixed while they do.
const char* const text_settings[][2] = {{"datestyle", "ISO, MDY"},
                                        {"intervalstyle", "postgres"},
                                        {"extra_float_digits", "3"},
                                        {"bytea_output", "hex"},
                                        {"lc_monetary", "C"}};

// The table and its partitions (pg_partition_tree lists none for a table that is not
// partitioned, and a statement aimed at a partition fires only that partition's
// statement triggers).
std::string tree(const std::string& table) {
  return fmt::format("SELECT {0}::regclass AS relid UNION SELECT relid FROM pg_partition_tree({0}::regclass)", table);
}
}  // namespace

std::string keep_deleted_rows_start(const QualifiedName& table, const QualifiedName& kept, const std::string& note) {
  // The trigger's arguments carry the copy and the column list: the function is one
  // for every table, and reads the rows the statement deleted from its transition
  // table. TRUNCATE, which fires no DELETE trigger, is refused meanwhile.
  std::string settings;
  for (const auto& s : text_settings) settings += fmt::format(" SET {} = {}", s[0], sql_string(s[1]));
  return fmt::format(
      R"(CREATE OR REPLACE FUNCTION pg_temp.schemac_keep_deleted() RETURNS trigger LANGUAGE plpgsql{5} AS $schemac_keep$
BEGIN
  EXECUTE format('INSERT INTO %s SELECT %s FROM schemac_deleted', TG_ARGV[0], TG_ARGV[1]);
  RETURN NULL;
END $schemac_keep$;
CREATE OR REPLACE FUNCTION pg_temp.schemac_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $schemac_keep$
BEGIN
  RAISE EXCEPTION 'TRUNCATE of % while a data step keeps the rows deleted from it: use DELETE', TG_TABLE_NAME;
END $schemac_keep$;
DO $schemac$ DECLARE cols text; r record; BEGIN
  IF to_regnamespace({0}) IS NULL THEN
    CREATE SCHEMA {1};
  END IF;
  SELECT string_agg(format('%I::text AS %I', attname, attname), ', ' ORDER BY attnum) INTO cols
    FROM pg_attribute WHERE attrelid = {2}::regclass AND attnum > 0 AND NOT attisdropped;
  EXECUTE format('CREATE TABLE %s AS SELECT %s FROM %s WITH NO DATA', {3}, cols, {2});
  EXECUTE format('COMMENT ON TABLE %s IS %L', {3}, {4});
  FOR r IN {6} LOOP
    EXECUTE format('CREATE TRIGGER schemac_keep_deleted AFTER DELETE ON %s REFERENCING OLD TABLE AS schemac_deleted '
                   'FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.schemac_keep_deleted(%L, %L)', r.relid, {3}, cols);
    EXECUTE format('CREATE TRIGGER schemac_refuse_truncate BEFORE TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.schemac_refuse_truncate()', r.relid);
  END LOOP;
END $schemac$;)",
      sql_string(quote(retention_schema)), quote(retention_schema), sql_string(table.sql()), sql_string(kept.sql()),
      sql_string(note), settings, tree(sql_string(table.sql())));
}

std::string keep_deleted_rows_stop(const QualifiedName& table) {
  return fmt::format(
      "DO $schemac$ DECLARE r record; BEGIN FOR r IN {} LOOP EXECUTE format('DROP TRIGGER IF EXISTS "
      "schemac_keep_deleted ON %s', r.relid); EXECUTE format('DROP TRIGGER IF EXISTS schemac_refuse_truncate ON %s', "
      "r.relid); END LOOP; END $schemac$;",
      tree(sql_string(table.sql())));
}

std::string restore_deleted_rows(const QualifiedName& table, const QualifiedName& kept, const std::string& purged) {
  // Columns by name (a column dropped and restored by the same migration's down comes
  // back last); generated columns compute themselves. The triggers of the table and
  // its partitions are off meanwhile and then set back each as it was (enabled,
  // replica, always or disabled; the table's first, as they reach its partitions).
  std::string names, values;
  for (const auto& s : text_settings) {
    names += std::string(names.empty() ? "" : ", ") + sql_string(s[0]);
    values += std::string(values.empty() ? "" : ", ") + sql_string(s[1]);
  }
  return purged_guard(kept, purged) + "\n" +
         fmt::format(
             R"(DO $schemac$ DECLARE
  cols text; vals text; forced boolean; triggers text[]; was text[] := '{{}}';
  settings text[] := ARRAY[{3}]; fixed text[] := ARRAY[{4}];
BEGIN
  SELECT string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum),
         string_agg(format('k.%I::%s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum)
    INTO cols, vals
    FROM pg_attribute a WHERE a.attrelid = {0}::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      AND EXISTS (SELECT 1 FROM pg_attribute c WHERE c.attrelid = {1}::regclass AND c.attname = a.attname AND NOT c.attisdropped);
  FOR i IN 1..array_length(settings, 1) LOOP
    was := was || current_setting(settings[i]);
    PERFORM set_config(settings[i], fixed[i], true);
  END LOOP;
  SELECT relforcerowsecurity INTO forced FROM pg_class WHERE oid = {0}::regclass;
  IF forced THEN
    EXECUTE format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY', {0});
  END IF;
  SELECT array_agg(ARRAY[t.tgrelid::regclass::text, t.tgname::text, t.tgenabled::text] ORDER BY t.tgparentid <> 0, t.tgrelid, t.tgname)
    INTO triggers FROM pg_trigger t WHERE t.tgrelid IN ({5}) AND NOT t.tgisinternal;
  FOR i IN 1..coalesce(array_length(triggers, 1), 0) LOOP
    IF triggers[i][3] <> 'D' THEN
      EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', triggers[i][1], triggers[i][2]);
    END IF;
  END LOOP;
  EXECUTE format('INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM %s AS k', {0}, cols, vals, {1});
  FOR i IN 1..coalesce(array_length(triggers, 1), 0) LOOP
    EXECUTE format('ALTER TABLE %s %s TRIGGER %I', triggers[i][1],
      CASE triggers[i][3] WHEN 'D' THEN 'DISABLE' WHEN 'R' THEN 'ENABLE REPLICA' WHEN 'A' THEN 'ENABLE ALWAYS' ELSE 'ENABLE' END,
      triggers[i][2]);
  END LOOP;
  IF forced THEN
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', {0});
  END IF;
  FOR i IN 1..array_length(settings, 1) LOOP
    PERFORM set_config(settings[i], was[i], true);
  END LOOP;
END $schemac$;
DROP TABLE {2};)",
             sql_string(table.sql()), sql_string(kept.sql()), kept.sql(), names, values, tree(sql_string(table.sql())));
}

std::string restore_column(const Retention& r, const model::Column& column) {
  model::Column bare = column;
  bare.nullable = true;
  bare.identity = false;
  bare.serial = false;
  bool numbered = column.identity || column.serial;
  std::string match;
  for (const model::Column* k : r.key)
    match += (match.empty() ? "" : " AND ") + fmt::format("t.{0} = r.{0}::{1}", quote(k->name), k->type.sql());
  std::string restore = fmt::format(
      "ALTER TABLE {0} DISABLE TRIGGER USER;\n"
      "UPDATE {0} AS t SET {1} = r.{1}::{2} FROM {3} AS r WHERE {4};",
      r.table.sql(), quote(column.name), column.type.sql(), r.copy.sql(), match);
  if (numbered)  // rows written after up: new values, after the restored ones
    restore += fmt::format(
        "\nUPDATE {0} AS t SET {1} = n.value FROM (SELECT ctid AS row_id, (SELECT coalesce(max({1}), 0) FROM {0}) + "
        "row_number() OVER () AS value FROM {0} WHERE {1} IS NULL) AS n WHERE t.ctid = n.row_id;",
        r.table.sql(), quote(column.name));
  restore += fmt::format("\nALTER TABLE {} ENABLE TRIGGER USER;", r.table.sql());
  // A purged copy stops the down before it changes anything, saying why.
  std::string guard =
      purged_guard(r.copy, "the values of " + r.table.display() + "." + column.name + " kept in " + r.copy.display() +
                               " were purged (schemac migrate purge); this down cannot restore them");
  std::string out = guard + "\n" + add_column(r.table, bare) + "\n" + unforced(r, restore);
  if (!column.nullable || numbered) out += "\n" + set_column_not_null(r.table, column.name, true);
  if (column.serial) {  // its sequence, as PostgreSQL makes it for a serial column
    QualifiedName sequence{r.table.schema, names::make_object_name(r.table.name, column.name, "seq")};
    out += fmt::format("\nCREATE SEQUENCE {} AS {} OWNED BY {}.{};\n", sequence.sql(), column.type.sql(), r.table.sql(),
                       quote(column.name)) +
           set_column_default(r.table, column.name, serial_default(r.table, column.name));
  }
  if (numbered)  // the sequence continues after every value
    out += (column.identity ? "\n" + add_column_identity(r.table, column.name) : std::string()) +
           fmt::format(
               "\nSELECT setval(pg_get_serial_sequence({0}, {1}), greatest(max({2}), 1)) FROM {3} HAVING "
               "max({2}) IS NOT NULL;",
               sql_string(r.table.sql()), sql_string(column.name), quote(column.name), r.table.sql());
  return out + "\nDROP TABLE " + r.copy.sql() + ";";
}

// ---- other changes

std::string add_enum_value(const QualifiedName& type, const std::string& value, const std::string* after,
                           const std::string* before) {
  std::string position = after ? " AFTER " + sql_string(*after) : before ? " BEFORE " + sql_string(*before) : "";
  return fmt::format("ALTER TYPE {} ADD VALUE IF NOT EXISTS {}{};", type.sql(), sql_string(value), position);
}
std::string row_level_security(const QualifiedName& table, const char* what) {
  return fmt::format("ALTER TABLE {} {} ROW LEVEL SECURITY;", table.sql(), what);
}
std::string alter_policy(const QualifiedName& table, const model::Policy& from, const model::Policy& to) {
  std::string out = fmt::format("ALTER POLICY {} ON {}", quote(to.name), table.sql());
  if (from.roles != to.roles) {
    std::string roles;
    for (const auto& r : to.roles) roles += (roles.empty() ? "" : ", ") + role_sql(r);
    out += " TO " + (roles.empty() ? std::string("PUBLIC") : roles);
  }
  if (from.using_sql != to.using_sql) out += "\n  USING (" + to.using_sql.value_or("true") + ")";
  if (from.check_sql != to.check_sql) out += "\n  WITH CHECK (" + to.check_sql.value_or("true") + ")";
  return out + ";";
}
std::string replace_function(const model::Function& f) {
  std::string create = create_function(f);
  return "CREATE OR REPLACE" + create.substr(std::string("CREATE").size());
}

// ---- comments

std::string comment_on(const std::string& target, const model::Doc& doc) {
  return fmt::format("COMMENT ON {} IS {};", target, doc.empty() ? std::string("NULL") : sql_string(doc_text(doc)));
}
std::string comment_on_text(const std::string& target, const std::string& text) {
  return fmt::format("COMMENT ON {} IS {};", target, sql_string(text));
}
std::string schema_target(const std::string& schema) { return "SCHEMA " + quote(schema); }
std::string type_target(const QualifiedName& type) { return "TYPE " + type.sql(); }
std::string domain_target(const QualifiedName& domain) { return "DOMAIN " + domain.sql(); }
std::string sequence_target(const QualifiedName& sequence) { return "SEQUENCE " + sequence.sql(); }
std::string table_target(const QualifiedName& table) { return "TABLE " + table.sql(); }
std::string view_target(const QualifiedName& view, bool materialized) {
  return (materialized ? "MATERIALIZED VIEW " : "VIEW ") + view.sql();
}
std::string function_target(const model::Function& f) {
  return (f.procedure ? "PROCEDURE " : "FUNCTION ") + function_signature(f);
}
std::string column_target(const QualifiedName& table, const std::string& column) {
  return "COLUMN " + table.sql() + "." + quote(column);
}
std::string constraint_target(const QualifiedName& table, const std::string& constraint) {
  return "CONSTRAINT " + quote(constraint) + " ON " + table.sql();
}
std::string index_target(const QualifiedName& table, const std::string& index) {
  return "INDEX " + QualifiedName{table.schema, index}.sql();
}
std::string policy_target(const QualifiedName& table, const std::string& policy) {
  return "POLICY " + quote(policy) + " ON " + table.sql();
}
std::string trigger_target(const QualifiedName& table, const std::string& trigger) {
  return "TRIGGER " + quote(trigger) + " ON " + table.sql();
}

}  // namespace schemac::emit
