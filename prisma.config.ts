// Prisma 7 reads the datasource URL from here, not from schema.prisma. Only `prisma generate` runs on these
// machines (see README, "Database"); the URL matters only where Prisma's engine is available (`migrate deploy`).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/maintenance_planner" },
});
