import { defineConfig } from 'drizzle-kit';

// Generates versioned SQL migrations from src/server/db/schema.ts: npm run db:generate -- --name <what>
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/server/db/schema.ts',
  out: './src/server/db/migrations',
});
