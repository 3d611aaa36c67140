// Writes the drizzle-orm version of bench_schema_gen's N-table workload, so that
// drizzle-kit and schemac plan the same schema in the same run (bench/peers/run.sh):
// the same columns, defaults, foreign-key chain, check, composite and partial
// indexes, row level security with four policies per table, and a materialized view
// per ten tables. drizzle has no triggers and no table grants: those two are left
// out of its side (less work for the peer).
//   node drizzle_schema.mjs N FILE [--changed]   (--changed: one column of t1 widened)
import { writeFileSync } from "node:fs";

const n = Number(process.argv[2]);
const file = process.argv[3];
const changed = process.argv[4] === "--changed";
if (!Number.isInteger(n) || n < 1 || !file) {
  console.error("usage: node drizzle_schema.mjs N FILE [--changed]");
  process.exit(2);
}

const out = [
  `import { sql } from "drizzle-orm";`,
  `import { bigint, boolean, check, index, jsonb, numeric, pgMaterializedView, pgPolicy, pgRole, pgTable, text, timestamp, varchar } from "drizzle-orm/pg-core";`,
  ``,
  `export const authenticated = pgRole("authenticated").existing();`,
  ``,
];
const owner = "sql`owner = current_user`";
for (let i = 1; i <= n; ++i) {
  const t = `t${i}`;
  out.push(`export const ${t} = pgTable("${t}", {`);
  out.push(`  id: bigint("id", { mode: "number" }).primaryKey(),`);
  if (i > 1)
    out.push(`  parentId: bigint("parent_id", { mode: "number" }).references(() => t${i - 1}.id, { onDelete: "cascade" }),`);
  out.push(`  owner: text("owner").notNull(),`);
  out.push(`  title: varchar("title", { length: ${changed && i === 1 ? 200 : 100} }).notNull(),`);
  out.push(`  amount: numeric("amount", { precision: 12, scale: 2 }).notNull().default("0"),`);
  out.push("  tags: text(\"tags\").array().notNull().default(sql`'{}'`),");
  out.push("  meta: jsonb(\"meta\").notNull().default(sql`'{}'::jsonb`),");
  out.push(`  archived: boolean("archived").notNull().default(false),`);
  out.push(`  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),`);
  out.push(`  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),`);
  out.push(`}, (t) => [`);
  out.push(`  index("${t}_owner_created_at_idx").on(t.owner, t.createdAt.desc()),`);
  out.push("  index(\"" + t + "_title_idx\").on(t.title).where(sql`not ${t.archived}`),");
  out.push("  check(\"" + t + "_amount_check\", sql`${t.amount} >= 0`),");
  out.push(`  pgPolicy("${t}_select", { for: "select", to: authenticated, using: ${owner} }),`);
  out.push(`  pgPolicy("${t}_insert", { for: "insert", to: authenticated, withCheck: ${owner} }),`);
  out.push(`  pgPolicy("${t}_update", { for: "update", to: authenticated, using: ${owner}, withCheck: ${owner} }),`);
  out.push(`  pgPolicy("${t}_delete", { for: "delete", to: authenticated, using: ${owner} }),`);
  out.push(`]).enableRLS();`);
  out.push(``);
  if (i % 10 === 0) {
    out.push(`export const ${t}_totals = pgMaterializedView("${t}_totals", { owner: text("owner"), total: numeric("total") })`);
    out.push("  .as(sql`select owner, sum(amount) as total from public." + t + " group by owner`);");
    out.push(``);
  }
}
writeFileSync(file, out.join("\n"));
