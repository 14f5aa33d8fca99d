import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type Actor, BadRequestError } from '#shouhu/engine';
import { CurrentActor } from '../http/request-context';
import { ConsoleQueries, type DefinitionSummary, type DefinitionView, type MeView } from './console.queries';

const TYPE = /^[a-z][a-z0-9-]{0,63}$/;

@ApiTags('console')
@ApiBearerAuth()
@Controller()
export class ConsoleController {
  constructor(@Inject(ConsoleQueries) private readonly queries: ConsoleQueries) {}

  /** Who am I: the person, role, unit and area behind the bearer token (the console's login check). */
  @Get('me')
  me(@CurrentActor() actor: Actor): Promise<MeView> {
    return this.queries.me(actor);
  }

  /** The registered case types, newest version of each. */
  @Get('definitions')
  list(): DefinitionSummary[] {
    return this.queries.definitions();
  }

  /** A case type's machine as states and transitions (and the Mermaid text), derived from its XState config. */
  @Get('definitions/:type')
  one(@Param('type') type: string, @Query('version') version: string | undefined): DefinitionView {
    if (!TYPE.test(type)) throw new BadRequestError('type must be a case type such as mandatory-report', { field: 'type' });
    if (version !== undefined && !/^[1-9]\d{0,5}$/.test(version)) throw new BadRequestError('version must be a whole number from 1', { field: 'version' });
    return this.queries.definition(type, version === undefined ? undefined : Number(version));
  }
}
