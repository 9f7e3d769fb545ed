import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * docs/asvs.md may not claim what no test shows: every `met` or `partly` row names at least one
 * test, and every named test must exist (the file, and a test title containing the quoted words).
 */
const root = path.resolve(import.meta.dirname, '../..');
const matrix = fs.readFileSync(path.join(root, 'docs/asvs.md'), 'utf8');

interface Row {
  requirement: string;
  status: string;
  proofs: Array<{ file: string; words: string }>;
}

function parseRows(): Row[] {
  const rows: Row[] = [];
  for (const line of matrix.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 7 || !/^(V\d+\.\d+\.\d+|\d+\.\d+\.\d+)$/.test(cells[1]!)) continue;
    const proofs = [...cells[5]!.matchAll(/`([^`]+)` › "([^"]+)"/g)].map((m) => ({ file: m[1]!, words: m[2]! }));
    rows.push({ requirement: cells[1]!, status: cells[3]!, proofs });
  }
  return rows;
}

/** Titles of it()/test()/describe() calls, quoted with ' " or `, escapes undone. */
function testTitles(file: string): string[] {
  const source = fs.readFileSync(path.join(root, file), 'utf8');
  const titles: string[] = [];
  for (const match of source.matchAll(/\b(?:it|test|describe)(?:\.(?:each\([^)]*\)|skipIf\([^)]*\)|runIf\([^)]*\)|only|skip))*\(\s*(['"`])((?:\\.|(?!\1).)*)\1/gs)) {
    titles.push(match[2]!.replace(/\\(.)/g, '$1'));
  }
  return titles;
}

const EXPECTED = [
  'V2.2.1', 'V2.4.1', 'V2.5.5', 'V2.5.7', 'V2.6.1', 'V2.6.2', 'V2.6.3', 'V2.8.1', 'V2.8.2', 'V2.8.3', 'V2.8.4', 'V2.8.5',
  'V3.2.1', 'V3.3.1', 'V3.3.2', 'V3.3.3', 'V3.4.1', 'V3.4.2', 'V3.4.3', 'V3.4.4', 'V3.7.1', 'V4.2.2', 'V4.3.1', 'V6.2.1', 'V6.2.2', 'V7.1.1', 'V7.1.2',
  'V7.1.3', 'V8.3.1', 'V11.1.4', '6.1.1', '6.3.1', '6.3.3', '6.3.4', '6.5.1', '6.5.2', '6.5.6', '6.5.7', '6.7.2', '7.4.1', '7.4.3', '7.5.1',
];

describe('docs/asvs.md', () => {
  const rows = parseRows();

  it('covers every requirement the security issue lists, once', () => {
    expect(rows.map((r) => r.requirement)).toEqual(EXPECTED);
  });

  it('gives every row a known status, and every met or partly row a test', () => {
    for (const row of rows) {
      expect(['met', 'partly', 'not applicable'], row.requirement).toContain(row.status);
      if (row.status !== 'not applicable') expect(row.proofs.length, `${row.requirement} names no test`).toBeGreaterThan(0);
    }
  });

  it('names only tests that exist', () => {
    const missing: string[] = [];
    for (const row of rows) {
      for (const proof of row.proofs) {
        if (!fs.existsSync(path.join(root, proof.file))) {
          missing.push(`${row.requirement}: no file ${proof.file}`);
          continue;
        }
        if (!testTitles(proof.file).some((title) => title.includes(proof.words))) {
          missing.push(`${row.requirement}: no test titled "…${proof.words}…" in ${proof.file}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('would notice a reference to a test that does not exist', () => {
    expect(testTitles('test/http/two-factor.flow.test.ts').some((t) => t.includes('a test nobody wrote'))).toBe(false);
    expect(testTitles('test/http/two-factor.flow.test.ts').some((t) => t.includes('a backup code signs in once'))).toBe(true);
  });
});
