/**
 * Writes the OpenAPI document exactly as a server serves it (GET /api/openapi.json) to a file,
 * for `npm run lint:openapi`. The server runs in-process on an in-memory PGlite with a throwaway
 * key and data folder, so nothing outside a temporary folder is touched and nothing needs a network.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { createStandaloneProofgate } from '../../src/server/app';
import { loadConfig } from '../../src/server/config';

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: tsx tools/openapi/dump.ts <output.json>');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofgate-openapi-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    APP_ENC_KEY: randomBytes(32).toString('base64'),
    SERVE_WEB: 'false',
  });
  const proofgate = await createStandaloneProofgate(config, { pglite: await PGlite.create() });
  const server = proofgate.app.listen(0, '127.0.0.1');
  try {
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/api/openapi.json`);
    if (response.status !== 200) throw new Error(`GET /api/openapi.json answered ${response.status}`);
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(await response.json(), null, 2)}\n`);
    console.log(`OpenAPI document written to ${out}`);
  } finally {
    server.close();
    await proofgate.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
