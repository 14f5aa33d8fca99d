import { BadRequestException, ParseUUIDPipe, ValidationPipe, type ValidationError } from '@nestjs/common';

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

/** 400 naming each field and the rule it broke; unknown fields are rejected, not dropped. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
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
