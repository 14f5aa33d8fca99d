/*
 * Writes docs/machines/<case-type>.md (title, who may act, a Mermaid state diagram) for every case
 * type of the county policy, and docs/machines/README.md as their index. Run after the build:
 *
 *   node dist/scripts/diagrams.js [out-dir]        (out-dir defaults to docs/machines under the cwd)
 *
 * The pages are generated from the machine definitions; a page this script wrote earlier for a case
 * type that no longer exists is removed (only files carrying the generated marker are touched).
 */
import { mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CaseDefinition } from '#shouhu/engine';
import {
  CHANGBAI_POLICY,
  diagramFileName,
  GENERATED_MARKER,
  machineMarkdown,
  machinesIndex,
  protectionDefinitionsFor,
} from '#shouhu/protection';

export function writeDiagrams(definitions: readonly CaseDefinition[], outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const pages = new Map<string, string>(definitions.map((def) => [diagramFileName(def), machineMarkdown(def)]));
  if (pages.size !== definitions.length) throw new Error('two case types map to one file name');
  pages.set('README.md', machinesIndex(definitions));
  for (const name of readdirSync(outDir)) {
    if (!name.endsWith('.md') || pages.has(name)) continue;
    const path = join(outDir, name);
    if (readFileSync(path, 'utf8').startsWith(GENERATED_MARKER)) unlinkSync(path);
  }
  for (const [name, text] of pages) writeFileSync(join(outDir, name), text);
  return [...pages.keys()].map((name) => join(outDir, name));
}

if (require.main === module) {
  const outDir = resolve(process.argv[2] ?? 'docs/machines');
  const written = writeDiagrams(protectionDefinitionsFor(CHANGBAI_POLICY), outDir);
  process.stdout.write(`${written.map((p) => `wrote ${p}`).join('\n')}\n`);
}
