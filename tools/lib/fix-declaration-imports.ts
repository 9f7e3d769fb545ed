import fs from 'node:fs';
import path from 'node:path';

/**
 * tsc writes the declarations' relative imports as the sources spell them (extensionless, the
 * Bundler resolution the repository uses). A host type-checking under NodeNext needs full
 * paths: './config' becomes './config.js', './gate' (a folder) './gate/index.js'.
 */
const RELATIVE_SPECIFIER = /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\2/g;

function withExtension(file: string, specifier: string): string {
  if (/\.(js|mjs|cjs|json|css)$/.test(specifier)) return specifier;
  const base = path.resolve(path.dirname(file), specifier);
  if (fs.existsSync(`${base}.d.ts`)) return `${specifier}.js`;
  if (fs.existsSync(path.join(base, 'index.d.ts'))) return `${specifier}/index.js`;
  return `${specifier}.js`;
}

export function fixDeclarationImports(root: string): number {
  let changed = 0;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.d.ts')) {
        const text = fs.readFileSync(full, 'utf8');
        const fixed = text.replace(RELATIVE_SPECIFIER, (_m, lead: string, quote: string, spec: string) => `${lead}${quote}${withExtension(full, spec)}${quote}`);
        if (fixed !== text) {
          fs.writeFileSync(full, fixed);
          changed += 1;
        }
      }
    }
  };
  walk(root);
  return changed;
}
