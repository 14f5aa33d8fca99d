import { resolve } from 'node:path';
import { type CaseDefinition, DefinitionRegistry } from '#shouhu/engine';

/**
 * The registry of case types: the domain's own definitions plus any modules named in
 * CASE_DEFINITION_MODULES (each exporting `definitions: CaseDefinition[]`), e.g. the kernel's test machines.
 */
export function loadDefinitions(builtIn: readonly CaseDefinition[], modulePaths: readonly string[]): DefinitionRegistry {
  const registry = new DefinitionRegistry(builtIn);
  for (const path of modulePaths) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(resolve(path)) as { definitions?: CaseDefinition[] };
    if (!Array.isArray(mod.definitions)) {
      throw new Error(`CASE_DEFINITION_MODULES: ${path} exports no "definitions" array`);
    }
    mod.definitions.forEach((d) => registry.register(d));
  }
  return registry;
}
