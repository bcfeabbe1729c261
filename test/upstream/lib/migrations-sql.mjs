// Turns @paperclipai/db's published migrations into one SQL script for psql:
// the journal's order, each file split at "--> statement-breakpoint" exactly as
// drizzle splits it, every piece ended by its own ";" line, the whole in ONE
// transaction (two migrations create ON COMMIT DROP temp tables and read them
// in a later statement), and drizzle's migration journal recorded the way
// upstream's migrator records it (sha256 of the file, the journal's "when"),
// so upstream's own inspectMigrations() sees the database as up to date.
//
// Runs on any Node >= 18 (only node:fs, node:path, node:crypto).
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const migrationsDir = join(here, "..", "node_modules", "@paperclipai", "db", "dist", "migrations");

export function journalEntries(dir = migrationsDir) {
  const journal = JSON.parse(readFileSync(join(dir, "meta", "_journal.json"), "utf8"));
  return [...journal.entries].sort((a, b) => a.idx - b.idx);
}

const literal = (s) => `'${String(s).replaceAll("'", "''")}'`;

export function migrationsScript(dir = migrationsDir) {
  const out = [];
  out.push("\\set ON_ERROR_STOP on");
  out.push("BEGIN;");
  out.push("CREATE EXTENSION IF NOT EXISTS pg_trgm;");
  out.push("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;");
  out.push('CREATE SCHEMA IF NOT EXISTS "drizzle";');
  out.push('CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);');
  const entries = journalEntries(dir);
  for (const entry of entries) {
    const file = `${entry.tag}.sql`;
    const content = readFileSync(join(dir, file), "utf8");
    out.push(`-- ==== ${file}`);
    for (const piece of content.split("--> statement-breakpoint")) {
      const statement = piece.trim();
      if (statement.length === 0) continue;
      out.push(statement);
      out.push(";");
    }
    const hash = createHash("sha256").update(content).digest("hex");
    out.push(`INSERT INTO "drizzle"."__drizzle_migrations" (hash, created_at) VALUES (${literal(hash)}, ${Number(entry.when)});`);
  }
  out.push("COMMIT;");
  return { sql: out.join("\n") + "\n", count: entries.length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(migrationsScript().sql);
}
