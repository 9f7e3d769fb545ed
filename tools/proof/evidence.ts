/**
 * What the proof records. Checks (checks/*.ts) are pure functions over these shapes, so a
 * test can hand them evidence that violates an expectation and see it marked failed.
 */

export type Header = readonly [name: string, value: string];

/** One curl request and the response exactly as curl printed it (unmasked; masking happens when written). */
export interface HttpExchange {
  /** Stable id, e.g. `b2-07-login-requires-2fa`. */
  id: string;
  title: string;
  method: string;
  url: string;
  /** Label of the cookie jar file (`-b`/`-c`), if the request used one. */
  jar: string | undefined;
  /** The JSON body sent on stdin, if any. */
  requestBody: unknown;
  statusLine: string;
  status: number;
  headers: Header[];
  bodyText: string;
  /** The parsed body when it is JSON, else undefined. */
  json: unknown;
  curlExitCode: number;
  curlStderr: string;
  startedAt: string;
  durationMs: number;
  /** What the proof did before this step (e.g. waited for the next TOTP step), for the transcript. */
  note?: string;
}

/** One SQL statement run through proofgate.database.query and its rows. */
export interface SqlEvidence {
  id: string;
  title: string;
  sql: string;
  params: unknown[];
  rows: Record<string, unknown>[];
  error?: string;
}

/** A step of the flow that could not run or threw: the item fails with this reason. */
export interface FlowError {
  step: string;
  message: string;
}

export interface CommandRun {
  command: string;
  exitCode: number | null;
  output: string;
  durationMs: number;
}

export interface ScreenshotFile {
  name: string;
  sizeBytes: number;
  mtimeMs: number;
  /** First bytes of the file, to recognise a PNG. */
  head: Uint8Array;
}

export interface WrittenFile {
  path: string;
  bytes: Uint8Array;
}

export type ItemStatus = 'PASS' | 'FAIL' | 'NOT RUN';

export interface CheckResult {
  expectation: string;
  passed: boolean;
  /** What was seen; never a raw secret (the report is masked again and scanned anyway). */
  observed: string;
}

export interface ProofItem {
  id: string;
  title: string;
  proves: string;
  status: ItemStatus;
  checks: CheckResult[];
  /** Why an item was not run (NOT RUN only). */
  notRunReason?: string;
  /** Exchanges and SQL shown as this item's evidence, in order. */
  evidence: Array<{ kind: 'http'; exchange: HttpExchange } | { kind: 'sql'; sql: SqlEvidence } | { kind: 'note'; text: string }>;
}
