// Writes an N-table schema for the benchmarks: mixed column types, a foreign-key
// chain, a composite and a partial index per table, row level security with four
// policies, an updated_at trigger, and a materialized view per ten tables.
//   bench_schema_gen N DIR [--changed]   (--changed: one column of table 1 differs)
#include <fstream>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bench_schema_gen N DIR [--changed]\n";
    return 2;
  }
  int n = std::stoi(argv[1]);
  std::string dir = argv[2];
  bool changed = argc > 3 && std::string(argv[3]) == "--changed";
  std::ofstream out(dir + "/bench.schema");
  out << "role authenticated\n\n"
         "function touch_updated_at() returns trigger language plpgsql as $$\n"
         "begin\n  new.updated_at = now();\n  return new;\nend;\n$$\n\n";
  for (int i = 1; i <= n; ++i) {
    std::string t = "t" + std::to_string(i);
    out << "/// Table " << i << ".\ntable " << t << " {\n"
        << "  id         bigint      primary key\n";
    if (i > 1) out << "  parent_id  bigint?     references t" << i - 1 << "(id) on delete cascade\n";
    out << "  owner      text\n"
        << "  title      varchar(" << (changed && i == 1 ? 200 : 100) << ")\n"
        << "  amount     numeric(12,2) default 0 check (amount >= 0)\n"
        << "  tags       text[]      default '{}'\n"
        << "  meta       jsonb       default '{}'::jsonb\n"
        << "  archived   boolean     default false\n"
        << "  created_at timestamptz default now()\n"
        << "  updated_at timestamptz default now()\n\n"
        << "  index on (owner, created_at desc)\n"
        << "  index on (title) where (not archived)\n"
        << "  row level security\n"
        << "  policy " << t << "_select for select to authenticated using (owner = current_user)\n"
        << "  policy " << t << "_insert for insert to authenticated with check (owner = current_user)\n"
        << "  policy " << t << "_update for update to authenticated using (owner = current_user)"
        << " with check (owner = current_user)\n"
        << "  policy " << t << "_delete for delete to authenticated using (owner = current_user)\n"
        << "  trigger " << t << "_updated_at before update for each row execute touch_updated_at()\n"
        << "  grant select, insert, update, delete to authenticated\n"
        << "}\n\n";
    if (i % 10 == 0)
      out << "materialized view " << t << "_totals as $$ select owner, sum(amount) as total from public." << t
          << " group by owner $$ {\n  unique index on (owner)\n}\n\n";
  }
  return out ? 0 : 1;
}
