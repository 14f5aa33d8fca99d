import { type ArgumentMetadata, BadRequestException, ParseUUIDPipe, ValidationPipe, type ValidationError } from '@nestjs/common';

interface FieldProblem {
  field: string;
  rule: string;
  message: string;
}

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([rule, message]) => ({ field, rule, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * How deep a JSON body may nest. class-transformer walks a body recursively and overflows the stack
 * at a few thousand levels (a 500); no body of this API needs more than a handful.
 */
export const MAX_BODY_DEPTH = 32;

/** Whether `value` nests objects or arrays deeper than `max` levels; iterative, so any depth is safe to ask about. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [v, depth] = pending.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) pending.push([child, depth + 1]);
  }
  return false;
}

/** The validation pipe, refusing a too deeply nested body before anything recursive touches it. */
class BodyValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && nestedDeeperThan(value, MAX_BODY_DEPTH)) {
      const message = `the body is nested deeper than ${MAX_BODY_DEPTH} levels`;
      throw new BadRequestException({ error: 'bad_request', message, fields: [{ field: 'body', rule: 'maxDepth', message }] });
    }
    return super.transform(value, metadata);
  }
}

/** 400 naming each field and the rule it broke; unknown fields are rejected, not dropped. */
export function validationPipe(): ValidationPipe {
  return new BodyValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new BadRequestException({ error: 'bad_request', message: fields.map((f) => f.message).join('; '), fields });
    },
  });
}

/** A path id that must be a UUID: 400 naming the parameter otherwise. */
export function uuidParam(field: string): ParseUUIDPipe {
  const message = `${field} must be a UUID`;
  return new ParseUUIDPipe({
    exceptionFactory: () => new BadRequestException({ error: 'bad_request', message, fields: [{ field, rule: 'isUuid', message }] }),
  });
}
