import { Inject, Injectable } from '@nestjs/common';
import { DirectoryService } from '#shouhu/directory';
import { type Actor, BadRequestError } from '#shouhu/engine';
import type { ListFilter } from '#shouhu/registry';

/**
 * Whose files a caller may list (一人一档案 is kept where the child lives and learns): a village
 * committee's staff (village cadres, the child director) see their village's children, a school its
 * pupils (files naming the school by unit id or by name), a township its township's; county units
 * choose a township (or see the county).
 */
@Injectable()
export class RegistryListScope {
  constructor(@Inject(DirectoryService) private readonly directory: DirectoryService) {}

  async filterFor(actor: Actor, asked: { township?: string; village?: string }): Promise<Pick<ListFilter, 'township' | 'village' | 'schoolAnyOf'>> {
    const own = actor.jurisdictionPath.split('/')[1];
    if (!own) return { township: asked.township, village: asked.village };
    const unit = await this.directory.unit(actor.unitId);
    if (unit?.kind === 'village_committee') return { township: own, village: unit.id };
    if (unit?.kind === 'school' || unit?.kind === 'kindergarten') return { township: own, village: asked.village, schoolAnyOf: [unit.id, unit.name] };
    return { township: own, village: asked.village };
  }
}

const TOWNSHIP_CODE = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * The township a census file is imported into: a township's staff and the units below it import only
 * into their own township; county units must name one (`?township=`).
 */
export function importTownship(actor: Actor, asked: string | undefined): string {
  if (asked !== undefined && !TOWNSHIP_CODE.test(asked)) throw new BadRequestError('township must be a township code such as maluguo', { field: 'township' });
  const own = actor.jurisdictionPath.split('/')[1];
  if (own && asked !== undefined && asked !== own) {
    throw new BadRequestError(`you import for your own township (${own}), not ${asked}`, { field: 'township' });
  }
  const target = asked ?? own;
  if (!target) throw new BadRequestError('county units name the township (query ?township=)', { field: 'township' });
  return target;
}
