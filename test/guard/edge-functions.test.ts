import { afterAll, describe, expect, it } from 'vitest';
import { edgeFunctionsCheckName } from '../../tools/guard/checks/edge-functions';
import { edgeSnippets } from './support/fixtures';
import { createScratchRepo, guardRange, guardTree, removeScratchDirs, resultNamed } from './support/scratch-repo';

afterAll(removeScratchDirs);

function edgeResultForTree(files: Record<string, string>) {
  const repo = createScratchRepo();
  repo.commit('feat: add files', files);
  return resultNamed(guardTree(repo.dir), edgeFunctionsCheckName);
}

describe('no Supabase Edge Functions', () => {
  it('passes a tree with no edge functions', () => {
    const result = edgeResultForTree({ 'src/server/routes.ts': 'export const routes = [];\n' });
    expect(result).toMatchObject({ passed: true, findings: [] });
  });

  it('fails a tree with a supabase/functions folder', () => {
    const result = edgeResultForTree({ 'supabase/functions/hello/index.ts': 'export {};\n' });
    expect(result.passed).toBe(false);
    expect(result.findings.map((finding) => finding.path)).toEqual(['supabase/functions/hello/index.ts']);
  });

  it.each([
    ['a functions.invoke call', 'src/server/alerts.ts', edgeSnippets.invokeCall],
    ['a request to the Edge Functions HTTP endpoint', 'src/web/api.ts', edgeSnippets.httpCall],
    ['a Deno.serve entry point', 'edge/hello.ts', edgeSnippets.denoServe],
    ['serve from deno.land std http/server.ts', 'edge/hello.js', edgeSnippets.denoStdImport],
  ])('fails source with %s and names the line', (_name, path, content) => {
    const result = edgeResultForTree({ [path]: `// first line\n${content}` });
    expect(result.passed).toBe(false);
    expect(result.findings[0]).toMatchObject({ path, line: 2 });
  });

  it('fails jsr:/npm: imports in .ts files under a functions folder, and only there', () => {
    expect(edgeResultForTree({ 'backend/functions/send/index.ts': edgeSnippets.jsrImport }).passed).toBe(false);
    expect(edgeResultForTree({ 'src/server/hono.md': edgeSnippets.jsrImport }).passed).toBe(true);
  });

  it('fails a package.json that depends on @supabase/functions-js', () => {
    const result = edgeResultForTree({ 'web/package.json': edgeSnippets.functionsJsDependency });
    expect(result.findings).toEqual([expect.objectContaining({ path: 'web/package.json', line: 1 })]);
  });

  it('ignores untracked files, such as an ignored build folder', () => {
    const repo = createScratchRepo();
    repo.commit('chore: ignore dist', { '.gitignore': 'dist/\n' });
    repo.write('dist/edge.js', edgeSnippets.denoServe);
    expect(resultNamed(guardTree(repo.dir), edgeFunctionsCheckName).passed).toBe(true);
  });

  it('in range mode, fails when the range adds a function and passes once a later commit removes it', () => {
    const repo = createScratchRepo();
    const base = repo.git('rev-parse', 'HEAD').trim();
    repo.commit('feat: edge function', { 'supabase/functions/x/index.ts': edgeSnippets.denoServe });
    expect(resultNamed(guardRange(repo.dir, `${base}..HEAD`, 'dev'), edgeFunctionsCheckName).passed).toBe(false);
    repo.git('rm', '--quiet', '-r', 'supabase');
    repo.commit('revert: no edge function');
    expect(resultNamed(guardRange(repo.dir, `${base}..HEAD`, 'dev'), edgeFunctionsCheckName).passed).toBe(true);
  });
});
