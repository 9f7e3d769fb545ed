import { randomBytes } from 'node:crypto';

// Every suspicious string below is assembled at run time, so this repository never contains a
// literal the guard would flag (the "project passes its own guard" test depends on that), and
// nothing committed here looks like a real credential.

export const edgeSnippets = {
  invokeCall: `await supabase.${['functions', 'invoke'].join('.')}('hello', { body: {} });\n`,
  httpCall: `await fetch('https://x.supabase.co${'/functions'}/v1/hello');\n`,
  denoServe: `${'Deno'}.serve(() => new Response('hi'));\n`,
  denoStdImport: `import { serve } from ${'"https://deno.land'}/std@0.168.0/http/server.ts";\nserve(() => new Response('hi'));\n`,
  jsrImport: `import { Hono } from ${'"jsr'}:@hono/hono";\n`,
  functionsJsDependency: `{ "name": "web", "dependencies": { ${'"@supabase'}/functions-js": "^2.0.0" } }\n`,
};

export const pemHeader = `-----BEGIN ${'RSA PRIVATE'} KEY-----`;

export function pemPrivateKey(): string {
  const body = randomBytes(48).toString('base64');
  return [pemHeader, body, `-----END ${'RSA PRIVATE'} KEY-----`, ''].join('\n');
}

/** A random value shaped like a Twilio SID: prefix AC or SK and 32 hex digits. */
export function twilioLikeSid(prefix: 'AC' | 'SK'): string {
  return prefix + randomBytes(16).toString('hex');
}

export function hex32(): string {
  return randomBytes(16).toString('hex');
}

export function encryptionKeyLine(value: string): string {
  return `${'APP_ENC_KEY'}=${value}\n`;
}

export function randomEncryptionKey(): string {
  return randomBytes(32).toString('base64');
}
