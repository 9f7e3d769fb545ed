import { isProofgatePath } from '../../src/server/gate/api-router';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormatsModule from 'ajv-formats';

/**
 * Holds every answer the HTTP suite receives to the OpenAPI document the same server serves:
 * the status must be documented for the operation, the body must match the documented media
 * type and schema, required headers must be present, and a Set-Cookie or Retry-After the
 * document does not declare is a failure. So a route, status or header added without its
 * documentation fails the first test that meets it, and the document cannot drift.
 */

export interface ObservedResponse {
  status: number;
  /** Lower-case header name → value (Set-Cookie: any one of them). */
  header(name: string): string | undefined;
  text: string;
}

interface Contract {
  ajv: Ajv2020;
  document: any;
  operations: Array<{ method: string; template: string; pattern: RegExp; literal: boolean }>;
  validators: Map<string, ValidateFunction>;
}

/**
 * Statuses a request that matches no documented operation may get (unknown path or method):
 * the catch-all 404, and what the parser, body and origin rules answer before routing.
 */
const UNMATCHED_STATUSES = new Set([400, 403, 404, 405, 408, 413, 415, 431]);
/** Headers whose presence the document must declare: a cookie or a wait the client must know of. */
const WATCHED_HEADERS = ['set-cookie', 'retry-after'];

const contracts = new Map<string, Promise<Contract>>();

function pointerEscape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

async function loadContract(baseUrl: string): Promise<Contract> {
  const response = await fetch(`${baseUrl}/api/openapi.json`);
  if (response.status !== 200) throw new Error(`OpenAPI contract: GET ${baseUrl}/api/openapi.json answered ${response.status}`);
  const document = (await response.json()) as any;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormatsModule as unknown as (instance: Ajv2020) => void)(ajv);
  ajv.addSchema(document, 'openapi');
  const operations: Contract['operations'] = [];
  for (const [template, item] of Object.entries<Record<string, unknown>>(document.paths)) {
    const source = template.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+');
    for (const method of Object.keys(item)) {
      operations.push({ method: method.toUpperCase(), template, pattern: new RegExp(`^${source}$`), literal: !template.includes('{') });
    }
  }
  // A literal path wins over a template that also matches it.
  operations.sort((a, b) => Number(b.literal) - Number(a.literal));
  return { ajv, document, operations, validators: new Map() };
}

function contractFor(baseUrl: string): Promise<Contract> {
  let contract = contracts.get(baseUrl);
  if (!contract) {
    contract = loadContract(baseUrl);
    contracts.set(baseUrl, contract);
    contract.catch(() => contracts.delete(baseUrl));
  }
  return contract;
}

function resolveRef(document: any, node: any): any {
  let current = node;
  while (current && typeof current.$ref === 'string') {
    current = current.$ref
      .slice(2)
      .split('/')
      .map((s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((value: any, key: string) => value?.[key], document);
  }
  return current;
}

function validator(contract: Contract, pointer: string): ValidateFunction {
  let validate = contract.validators.get(pointer);
  if (!validate) {
    validate = contract.ajv.getSchema(`openapi#${pointer}`);
    if (!validate) throw new Error(`OpenAPI contract: no schema at ${pointer}`);
    contract.validators.set(pointer, validate);
  }
  return validate;
}

function checkBody(contract: Contract, label: string, responsePointer: string, documented: any, observed: ObservedResponse): string[] {
  const contentType = observed.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  const content = documented.content as Record<string, any> | undefined;
  if (!content) {
    return observed.text.length > 0 ? [`${label}: the document declares no body, but one came (${contentType ?? 'no content-type'})`] : [];
  }
  if (!contentType || !content[contentType]) {
    return [`${label}: content-type ${contentType ?? '(none)'} is not documented (documented: ${Object.keys(content).join(', ')})`];
  }
  if (!content[contentType].schema) return [];
  let value: unknown = observed.text;
  if (/json/.test(contentType)) {
    try {
      value = JSON.parse(observed.text);
    } catch {
      return [`${label}: the body is not JSON`];
    }
  }
  // A documented response may be a $ref to a shared one: validate where its schema really lives.
  const schemaPointer = documented.$resolvedFrom ?? responsePointer;
  const validate = validator(contract, `${schemaPointer}/content/${pointerEscape(contentType)}/schema`);
  if (validate(value)) return [];
  return [`${label}: the body does not match the documented schema: ${contract.ajv.errorsText(validate.errors, { separator: '; ' })}`];
}

function checkHeaders(contract: Contract, label: string, documented: any, observed: ObservedResponse): string[] {
  const problems: string[] = [];
  const declared = new Map<string, any>();
  for (const [name, header] of Object.entries<any>(documented.headers ?? {})) declared.set(name.toLowerCase(), resolveRef(contract.document, header));
  for (const [name, header] of declared) {
    const value = observed.header(name);
    if (value === undefined) {
      if (header.required) problems.push(`${label}: the required header ${name} is missing`);
      continue;
    }
    const schema = header.schema ?? {};
    if (schema.type === 'integer' && !(/^\d+$/.test(value) && (schema.minimum === undefined || Number(value) >= schema.minimum))) {
      problems.push(`${label}: header ${name}: ${JSON.stringify(value)} is not an integer ≥ ${schema.minimum ?? 0}`);
    }
  }
  for (const name of WATCHED_HEADERS) {
    if (observed.header(name) !== undefined && !declared.has(name)) problems.push(`${label}: sends ${name}, which the document does not declare`);
  }
  return problems;
}

function documentedResponse(contract: Contract, operationPointer: string, status: number): { pointer: string; response: any } | undefined {
  const [template, method] = operationPointer.split('|') as [string, string];
  const all = contract.document.paths[template][method].responses as Record<string, any>;
  const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => all[k] !== undefined);
  if (!key) return undefined;
  const raw = all[key];
  let pointer = `/paths/${pointerEscape(template)}/${method}/responses/${key}`;
  if (typeof raw.$ref === 'string') pointer = raw.$ref.slice(1);
  return { pointer, response: resolveRef(contract.document, raw) };
}

function checkUnmatched(contract: Contract, label: string, observed: ObservedResponse): string[] {
  if (observed.status < 400) {
    return [`${label}: answered ${observed.status}, but the OpenAPI document has no such operation. Mount the route with mountRoute so /api/openapi.json describes it.`];
  }
  if (!UNMATCHED_STATUSES.has(observed.status)) {
    return [`${label}: answered ${observed.status}; a request that matches no documented operation may only get ${[...UNMATCHED_STATUSES].join('/')}`];
  }
  const problem = { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  const problems = checkBody(contract, label, '/components/responses/HeadersTooLarge', problem, observed);
  if (observed.header('x-request-id') === undefined) problems.push(`${label}: the required header x-request-id is missing`);
  return problems;
}

/** Throws, with every mismatch listed, when the answer does not conform to the document. */
export async function assertConformsToContract(baseUrl: string, method: string | undefined, rawPath: string | undefined, observed: ObservedResponse): Promise<void> {
  const contract = await contractFor(baseUrl);
  const path = (rawPath ?? '').split('?')[0] ?? '';
  // The document is the contract of the paths the gate owns (gate/api-router.ts). A host app's own
  // routes (the library tests mount some) and the web UI's files are not part of it.
  if (rawPath !== undefined && !isProofgatePath(path)) return;
  const label = `OpenAPI contract: ${method ?? '?'} ${path || '(unparsed request)'} → ${observed.status}`;
  const operation = method ? contract.operations.find((op) => op.method === method.toUpperCase() && op.pattern.test(path)) : undefined;
  let problems: string[];
  if (!operation) {
    problems = checkUnmatched(contract, label, observed);
  } else {
    const found = documentedResponse(contract, `${operation.template}|${operation.method.toLowerCase()}`, observed.status);
    if (!found) {
      const documented = Object.keys(contract.document.paths[operation.template][operation.method.toLowerCase()].responses).join(', ');
      problems = [`${label}: status ${observed.status} is not documented for ${operation.method} ${operation.template} (documented: ${documented})`];
    } else {
      const response = { ...found.response, $resolvedFrom: found.pointer };
      problems = method?.toUpperCase() === 'HEAD' ? [] : checkBody(contract, label, found.pointer, response, observed);
      problems.push(...checkHeaders(contract, label, found.response, observed));
    }
  }
  if (problems.length > 0) throw new Error(`${problems.join('\n')}\nbody: ${observed.text.slice(0, 500)}`);
}
