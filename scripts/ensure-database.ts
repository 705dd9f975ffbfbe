// Creates the database named in DATABASE_URL when it does not exist (tests use their own).
import { Client } from 'pg';

async function main(): Promise<void> {
  const target = new URL(process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(target);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  await client.end();
}

main().catch((error: unknown) => {
  process.stderr.write(`ensure-database: ${(error as Error).message}\n`);
  process.exit(1);
});
