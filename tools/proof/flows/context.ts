import type { Recorder } from '../recorder';
import type { ItemKey, ProofEvidence } from '../run-evidence';
import type { ProofServer } from '../servers';

export interface ProofUser {
  label: string;
  email: string;
  password: string;
  jar: string;
  userId?: string;
  secret?: string;
  /** The TOTP step of this user's last accepted code (confirm, verify, …). */
  lastStep?: number;
}

export interface FlowContext {
  recorder: Recorder;
  evidence: ProofEvidence;
  /** Notes for the report's "how this run was made" section (waits, servers, modes). */
  notes: string[];
}

/** The flow cannot continue (an answer it depends on was wrong); the item fails with this message. */
export class FlowStop extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlowStop';
  }
}

/** Runs one part of a flow; an exception is recorded against the item instead of ending the run. */
export async function step(ctx: FlowContext, item: ItemKey, name: string, work: () => Promise<void>): Promise<boolean> {
  try {
    await work();
    return true;
  } catch (error) {
    ctx.evidence.errors[item].push({ step: name, message: error instanceof Error ? error.message : String(error) });
    return false;
  }
}

export function requireOk(condition: boolean, message: string): void {
  if (!condition) throw new FlowStop(message);
}

export function post(server: ProofServer, path: string, jar: string | undefined, body?: unknown) {
  return { baseUrl: server.url, method: 'POST' as const, path, ...(jar ? { jar } : {}), ...(body === undefined ? {} : { body }) };
}

export function get(server: ProofServer, path: string, jar: string | undefined) {
  return { baseUrl: server.url, method: 'GET' as const, path, ...(jar ? { jar } : {}) };
}
