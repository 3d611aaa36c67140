// schemac: the command line. Each command is a thin layer over the library.
// Exit codes: 0 ok, 1 the input is wrong, 2 usage or environment error.
#include <mimalloc.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "cli/migrate_command.hpp"
#include "cli/plan_run.hpp"
#include "diag/report.hpp"
#include "driver/compile.hpp"
#include "driver/generated_directory.hpp"
#include "emit/cpp.hpp"
#include "emit/format.hpp"
#include "emit/sql.hpp"
#include "lint/lint.hpp"
#include "lsp/server.hpp"
#include "plan/migrations_dir.hpp"
#include "plan/plan.hpp"
#include "plan/snapshot.hpp"
#include "syntax/parser.hpp"

namespace {

using namespace schemac;

using cli::add_migrate_command;
using cli::exit_environment;
using cli::exit_input;
using cli::exit_ok;
using cli::MigrateArgs;
using cli::report;
using cli::run_plan;
using cli::stderr_color;

// `--format text|json|sarif` of check and lint: text diagnostics on standard error,
// or one JSON document or SARIF log on standard output.
void print_machine(const Diagnostics& diags, const std::string& format, bool with_lint,
                   const std::vector<lint::Silenced>& silenced = {}) {
  auto rules = report::error_kinds();
  if (with_lint)
    for (const auto& r : lint::rules()) rules.push_back({r.code, r.name, r.description, r.severity});
  std::vector<report::Suppressed> suppressed;
  for (const auto& s : silenced) suppressed.push_back({s.code, s.where, s.message, s.reason});
  std::cout << (format == "sarif" ? report::sarif(diags, rules, SCHEMAC_VERSION, suppressed)
                                  : report::json(diags, suppressed));
}

// `schemac migrate ...` runs schemac-migrate, found next to this executable, with the
// same arguments (see cli/migrate_command.hpp for why it is a program of its own).
int run_migrate_program(int argc, char** argv) {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) {
    std::cerr << "schemac: error: cannot find this program's directory: " << ec.message() << "\n";
    return exit_environment;
  }
  std::string helper = (self.parent_path() / "schemac-migrate").string();
  std::vector<char*> args(argv, argv + argc);
  args.push_back(nullptr);
  args[0] = helper.data();
  std::cout.flush();
  ::execv(helper.c_str(), args.data());
  int error = errno;  // before anything else can change it
  std::cerr << "schemac: error: cannot run '" << helper << "' (installed with schemac): " << std::strerror(error)
            << "\n";
  return exit_environment;
}

int run_check(const std::string& dir, const std::string& format) {
  Diagnostics diags;
  auto loaded = compile_directory(dir, diags);
  if (loaded.files.empty()) {
    std::cerr << "schemac: error: no .schema files in '" << dir << "'\n";
    return exit_input;
  }
  if (format == "text") return report(diags);
  print_machine(diags, format, false);
  return diags.has_errors() ? exit_input : exit_ok;
}

int run_sql(const std::string& dir, bool externs, bool externs_only) {
  Diagnostics diags;
  model::Schema schema;
  {
    auto loaded = compile_directory(dir, diags);
    if (int rc = report(diags)) return rc;
    schema = std::move(loaded.model);  // the syntax trees are not needed any more
  }
  if (externs || externs_only) std::cout << emit::platform_stub_sql(schema);
  if (!externs_only) std::cout << plan::full_state_sql(std::move(schema));
  return exit_ok;
}

int run_fmt(const std::string& dir, bool check_only) {
  Diagnostics diags;
  auto loaded = compile_directory(dir, diags);
  if (int rc = report(diags)) return rc;
  std::vector<std::pair<std::string, std::string>> formatted;
  for (std::size_t i = 0; i < loaded.files.size(); ++i) {
    const auto& src = diags.file(loaded.files[i].file_id);
    formatted.push_back({src.path(), emit::format_file(loaded.files[i].ast, src.text())});
  }
  // The canonical form must mean the same schema and keep every comment; if it does
  // not, that is a bug in schemac, and no file is touched.
  Diagnostics again;
  auto reparsed = compile_sources(formatted, again);
  bool same = !again.has_errors() && reparsed.model == loaded.model;
  for (std::size_t i = 0; same && i < loaded.files.size(); ++i)
    same = emit::count_comments(loaded.files[i].ast, diags.file(loaded.files[i].file_id).text()) ==
           emit::count_comments(reparsed.files[i].ast, formatted[i].second);
  if (!same) {
    std::cerr << "schemac: internal error: the canonical form would change the schema; no file was changed\n";
    again.print(std::cerr, cli::stderr_color());
    return exit_environment;
  }
  int not_canonical = 0;
  for (std::size_t i = 0; i < loaded.files.size(); ++i) {
    if (formatted[i].second == diags.file(loaded.files[i].file_id).text()) continue;
    ++not_canonical;
    if (check_only)
      std::cout << formatted[i].first << "\n";
    else
      write_file_atomically(loaded.paths[i], formatted[i].second);
  }
  if (check_only && not_canonical) {
    std::cerr << not_canonical << (not_canonical == 1 ? " file is" : " files are")
              << " not in canonical form; run 'schemac fmt " << dir << "'\n";
    return exit_input;
  }
  return exit_ok;
}

int run_lint(const std::string& dir, const std::string& migrations, const std::string& format) {
  Diagnostics diags;
  auto failed = [&] {
    if (format == "text") return report(diags);
    print_machine(diags, format, true);
    return exit_input;
  };
  auto loaded = compile_directory(dir, diags);
  if (diags.has_errors()) return failed();
  std::optional<model::Schema> previous;
  std::string planned;  // the migration that holds the change, when it is planned already
  if (!migrations.empty()) {
    diags.set_kind("plan");
    previous = plan::read_snapshot(migrations, diags);
    if (diags.has_errors()) return failed();
    // The change is planned already (the snapshot is this schema): lint the newest
    // migration, from the state before it.
    std::error_code ec;
    auto snapshot = std::filesystem::path(migrations) / "snapshot.schema";
    if (std::filesystem::exists(snapshot, ec) && read_file(snapshot) == plan::snapshot_text(loaded.model)) {
      if (auto before = plan::read_previous_snapshot(migrations, diags)) {
        if (diags.has_errors()) return failed();
        previous = std::move(*before);
        auto existing = plan::list_migrations(migrations);
        if (!existing.empty()) planned = existing.back().id;
        if (format == "text" && !existing.empty())
          std::cout << "the change is planned already: linting " << planned << "\n";
      }
    }
  }
  auto result = lint::lint_schema(loaded, previous ? &*previous : nullptr, diags, planned);
  if (format != "text") {
    print_machine(diags, format, true, result.silenced);
    return result.errors ? exit_input : exit_ok;
  }
  diags.print(std::cerr, stderr_color());
  for (const auto& s : result.silenced) {
    LineColumn lc = diags.file(s.where.file).locate(s.where.offset);
    std::cout << "silenced " << s.code << " at " << diags.file(s.where.file).path() << ":" << lc.line << ":"
              << lc.column << " (" << s.reason << "): " << s.message << "\n";
  }
  std::cout << result.errors << " errors, " << result.warnings << " warnings, " << result.silenced.size()
            << " silenced\n";
  return result.errors ? exit_input : exit_ok;
}

// `schemac init DIR`: DIR/schema with a first table, DIR/migrations (empty), and
// DIR/README.md with the next steps. Nothing that exists is overwritten.
int run_init(const std::string& dir) {
  namespace fs = std::filesystem;
  fs::path root(dir), schema = root / "schema", migrations = root / "migrations";
  std::error_code ec;
  for (const auto& p : {schema, migrations, root / "README.md"})
    if (fs::exists(p, ec) && (p.filename() == "README.md" || !(fs::is_directory(p, ec) && fs::is_empty(p, ec))))
      throw EnvironmentError("'" + p.string() + "' exists already; init writes only into new places");
  fs::create_directories(schema, ec);
  if (!ec) fs::create_directories(migrations, ec);
  if (ec) throw EnvironmentError("cannot create '" + dir + "': " + ec.message());
  write_file_atomically(schema / "app.schema",
                        "// The desired state of the database: every *.schema file of this directory together.\n"
                        "// `schemac check` after an edit, or an editor with `schemac lsp` as you type.\n"
                        "\n"
                        "/// People who use the application.\n"
                        "table users {\n"
                        "  id         bigint      primary key identity\n"
                        "  email      text        unique\n"
                        "  name       text?\n"
                        "  created_at timestamptz default now()\n"
                        "}\n");
  std::string steps = "Next steps (from the directory that holds " + dir +
                      "):\n"
                      "  schemac check " +
                      schema.string() +
                      "                  # after each edit\n"
                      "  schemac plan " +
                      schema.string() + " " + migrations.string() +
                      " --name init    # writes the first migration\n"
                      "  schemac migrate up " +
                      migrations.string() + " --db postgresql:///mydb\n";
  write_file_atomically(root / "README.md",
                        "# Database schema\n\n`schema/` is the desired state and `migrations/` "
                        "the history that `schemac plan` writes.\n\n```\n" +
                            steps + "```\n");
  std::cout << "created " << (schema / "app.schema").string() << ", " << migrations.string() << "/ and "
            << (root / "README.md").string() << "\n"
            << steps;
  return exit_ok;
}

struct GenArgs {
  std::string dir, out, ns, migrations;
  std::size_t tables_per_file = emit::CppOptions{}.tables_per_file;
};

int run_gen_cpp(const GenArgs& args) {
  Diagnostics diags;
  model::Schema schema;
  {
    auto loaded = compile_directory(args.dir, diags);
    if (int rc = report(diags)) return rc;
    schema = std::move(loaded.model);  // the syntax trees are not needed any more
  }
  emit::CppOptions options;
  options.ns = args.ns;
  options.tables_per_file = args.tables_per_file;
  options.source = std::filesystem::path(args.dir).lexically_normal().filename().string();
  if (options.source.empty())
    options.source = std::filesystem::path(args.dir).lexically_normal().parent_path().filename().string();
  if (!args.migrations.empty()) {
    try {
      options.migrations = runtime::load_migrations(args.migrations);
    } catch (const std::exception& e) {
      throw EnvironmentError(e.what());
    }
    if (options.migrations.empty())
      throw EnvironmentError("no migrations in '" + args.migrations + "' (expected NNNN_name.up.sql files)");
  }
  // The names are checked before anything is written; the files are then written as
  // they are rendered and put in place together (driver/generated_directory.hpp).
  GeneratedDirectory out(args.out, emit::cpp_sources_name(args.ns));
  try {
    emit::generate_cpp(schema, options, diags,
                       [&](const std::string& file, std::string_view text) { out.append(file, text); });
  } catch (const std::invalid_argument& e) {
    std::cerr << "schemac: error: " << e.what() << "\n";
    return exit_environment;
  }
  if (int rc = report(diags)) return rc;
  out.commit();
  return exit_ok;
}

}  // namespace

namespace {

int run(int argc, char** argv) {
  CLI::App app{"schemac: a schema-as-code compiler for PostgreSQL"};
  app.name("schemac");  // in help and usage, whatever path ran it
  app.set_version_flag("--version", "schemac " SCHEMAC_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  cli::add_color_option(app);
  std::string dir;
  bool check_only = false;
  bool externs = false, externs_only = false;

  auto* check = app.add_subcommand("check", "parse and validate a schema directory; exit 1 on any error");
  check->add_option("SCHEMA_DIR", dir, "directory of .schema files")->required();
  std::string format = "text";
  auto format_option = [&](CLI::App* sub) {
    sub->add_option("--format", format, "text (on standard error), json or sarif (SARIF 2.1.0, on standard output)")
        ->check(CLI::IsMember({"text", "json", "sarif"}))
        ->capture_default_str();
  };
  format_option(check);

  auto* fmt = app.add_subcommand("fmt", "rewrite the schema files in canonical form");
  fmt->add_option("SCHEMA_DIR", dir, "directory of .schema files")->required();
  fmt->add_flag("--check", check_only, "change nothing; list the files that are not canonical and exit 1");

  auto* sql = app.add_subcommand("sql", "print the whole desired state as DDL");
  sql->add_option("SCHEMA_DIR", dir, "directory of .schema files")->required();
  sql->add_flag("--externs", externs,
                "first create stand-ins for declared roles and extern objects (for a throwaway database)");
  sql->add_flag("--externs-only", externs_only, "only the stand-ins (then let the migrations build the rest)");

  std::string migrations, name;
  auto* plan = app.add_subcommand("plan", "write the next migration (up, down, verify) and the new snapshot");
  plan->add_option("SCHEMA_DIR", dir, "directory of .schema files")->required();
  plan->add_option("MIGRATIONS_DIR", migrations, "directory of migrations and snapshot.schema")->required();
  plan->add_option("--name", name, "the migration's name: lower case letters, digits, underscores")->required();
  std::string plan_db;
  plan->add_option("--db", plan_db, "a database whose table sizes (pg_class.reltuples) the lock summary shows");
  bool dry_run = false;
  plan->add_flag("--dry-run", dry_run, "print what would change, the lock summary and the up SQL; write nothing");
  bool init = false;
  plan->add_flag("--init", init, "start MIGRATIONS_DIR if it does not exist (without it, plan refuses a missing one)");

  std::string lint_migrations;
  auto* lint =
      app.add_subcommand("lint", "hazards: security holes, data loss, lock hazards, hygiene; exit 1 on errors");
  lint->add_option("SCHEMA_DIR", dir, "directory of .schema files")->required();
  lint->add_option("MIGRATIONS_DIR", lint_migrations, "with its snapshot: also lint the planned change");
  format_option(lint);

  std::string init_dir;
  auto* init_cmd =
      app.add_subcommand("init", "start a project: DIR/schema (a first table), DIR/migrations, DIR/README.md");
  init_cmd->add_option("DIR", init_dir, "the directory to create (or an empty one)")->required();

  auto* gen = app.add_subcommand("gen", "generate code from a schema");
  gen->require_subcommand(1);
  GenArgs gargs;
  auto* gen_cpp = gen->add_subcommand("cpp", "C++ row structs and typed query helpers (NS.hpp, NS.cpp)");
  gen_cpp->add_option("SCHEMA_DIR", gargs.dir, "directory of .schema files")->required();
  gen_cpp->add_option("--out", gargs.out, "directory to write NS.hpp, NS.cpp (NS_1.cpp, ...) and NS.sources into")
      ->required();
  gen_cpp->add_option("--namespace", gargs.ns, "the C++ namespace (also the files' name)")->required();
  gen_cpp->add_option("--migrations", gargs.migrations, "embed these migrations so that a program can migrate itself");
  gen_cpp
      ->add_option("--tables-per-file", gargs.tables_per_file,
                   "split the tables and views into NS_1.cpp, NS_2.cpp, ... of this many each when there are more")
      ->check(CLI::PositiveNumber);

  auto* lsp = app.add_subcommand("lsp", "a language server for editors (LSP 3.17 on standard input and output)");
  bool stdio = true;
  lsp->add_flag("--stdio", stdio,
                "talk on standard input and output (the only transport; accepted for clients that say it)");

  MigrateArgs margs;
  std::map<std::string, CLI::App*> actions;
  add_migrate_command(app, margs, actions);
  cli::DatabaseArgs dargs;
  auto database = cli::add_database_commands(app, dargs);

  // A misspelt command: the closest one, when it is close.
  if (argc > 1 && argv[1][0] != '-') {
    std::string word = argv[1], best;
    std::size_t best_distance = 3;
    bool known = false;
    for (const auto* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      known |= sub->get_name() == word;
      std::size_t d = edit_distance(word, sub->get_name());
      if (d < best_distance) best_distance = d, best = sub->get_name();
    }
    if (!known && !best.empty()) {
      std::cerr << "schemac: error: unknown command '" << word << "'; did you mean '" << best << "'?\n";
      return exit_environment;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? exit_ok : exit_environment;
  }
  try {
    if (check->parsed()) return run_check(dir, format);
    if (fmt->parsed()) return run_fmt(dir, check_only);
    if (sql->parsed()) return run_sql(dir, externs, externs_only);
    if (plan->parsed() && dry_run) return cli::run_plan_dry(dir, migrations, name);
    if (plan->parsed() && !init) cli::require_migrations_dir(migrations);
    if (plan->parsed()) return plan_db.empty() ? run_plan(dir, migrations, name) : run_migrate_program(argc, argv);
    if (lint->parsed()) return run_lint(dir, lint_migrations, format);
    if (gen_cpp->parsed()) return run_gen_cpp(gargs);
    if (lsp->parsed()) return lsp::run_server(0, 1);
    if (init_cmd->parsed()) return run_init(init_dir);
    for (const auto& [action, sub] : actions)
      if (sub->parsed()) return run_migrate_program(argc, argv);
    if (database.pull->parsed() || database.diff->parsed()) return run_migrate_program(argc, argv);
  } catch (const EnvironmentError& e) {
    std::cerr << "schemac: error: " << e.what() << "\n";
    return exit_environment;
  } catch (const std::exception& e) {
    std::cerr << "schemac: internal error: " << e.what() << "\n";
    return exit_environment;
  }
  return exit_environment;
}

}  // namespace

int main(int argc, char** argv) {
  // A compile allocates hundreds of thousands of small objects, mostly never freed
  // before exit. mimalloc (linked in place of malloc) serves them from large pages
  // where the kernel allows it (transparent huge pages): page faults, which cost
  // several microseconds each on virtual machines, fall from about 13,000 to 700 for
  // the 1,000-table plan, which takes 0.12 s instead of 0.29 s (README, "Figures").
  // mimalloc gives each thread its own segments; the command runs on a thread started
  // after the option is set, so none of its memory comes from the segment that the
  // C++ runtime's start-up allocations opened with small pages.
  mi_option_enable(mi_option_large_os_pages);
  mi_option_set(mi_option_eager_commit_delay, 0);
  int rc = 0;
  std::thread([&] { rc = run(argc, argv); }).join();
  return rc;
}
