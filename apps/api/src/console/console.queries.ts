import { Inject, Injectable } from '@nestjs/common';
import { DirectoryService } from '#shouhu/directory';
import { type Actor, DefinitionRegistry, NotFoundError } from '#shouhu/engine';
import { machineGraph, toMermaid } from '#shouhu/protection';

/** Who the caller is, as the console shows it: the person, the unit and its area. */
export interface MeView {
  user: { id: string; name: string | null };
  role: string;
  unit: { id: string; name: string; kind: string };
  jurisdictionPath: string;
  /** The county (first segment of the area) and the township (second), when the unit has one. */
  county: string;
  township: string | null;
}

export interface DefinitionSummary {
  type: string;
  version: number;
  title: string;
}

/** A case type's machine as data for drawing: generated from the XState definition, never re-coded. */
export interface DefinitionView extends DefinitionSummary {
  versions: number[];
  permissions: { open: readonly string[]; events: Readonly<Record<string, readonly string[]>> };
  graph: ReturnType<typeof machineGraph>;
  mermaid: string;
}

/** The read side the console needs beyond the cases: the caller and the machines. */
@Injectable()
export class ConsoleQueries {
  constructor(
    @Inject(DirectoryService) private readonly directory: DirectoryService,
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
  ) {}

  async me(actor: Actor): Promise<MeView> {
    const unit = await this.directory.unit(actor.unitId);
    const [county = '', township = null] = actor.jurisdictionPath.split('/');
    return {
      user: { id: actor.userId, name: actor.name ?? null },
      role: actor.role,
      unit: { id: actor.unitId, name: unit?.name ?? actor.unitId, kind: unit?.kind ?? 'unknown' },
      jurisdictionPath: actor.jurisdictionPath,
      county,
      township: township ?? null,
    };
  }

  definitions(): DefinitionSummary[] {
    return this.registry.types().map((type) => {
      const def = this.registry.get(type)!;
      return { type, version: def.version, title: def.title ?? type };
    });
  }

  definition(type: string, version?: number): DefinitionView {
    const def = this.registry.get(type, version);
    if (!def) throw new NotFoundError('definition', version === undefined ? type : `${type}@${version}`);
    const versions = this.registry.all().filter((d) => d.id === type).map((d) => d.version).sort((a, b) => a - b);
    return {
      type: def.id,
      version: def.version,
      title: def.title ?? def.id,
      versions,
      permissions: def.permissions,
      graph: machineGraph(def.machine),
      mermaid: toMermaid(def.machine),
    };
  }
}
