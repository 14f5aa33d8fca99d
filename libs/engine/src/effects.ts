import type { CaseDefinition } from './definition';
import { namedActions } from './definition';
import type { CaseRow, OutboxRow } from './store';

/** One named action's implementation. It must be idempotent: delivery is at least once. */
export interface EffectHandler {
  readonly action: string;
  handle(effect: OutboxRow, caseRow: CaseRow): Promise<void>;
}

/** Handlers by action name; the worker checks it covers every machine before it starts. */
export class EffectCatalogue {
  private readonly handlers = new Map<string, EffectHandler>();

  constructor(handlers: readonly EffectHandler[] = []) {
    handlers.forEach((h) => this.register(h));
  }

  register(handler: EffectHandler): void {
    if (this.handlers.has(handler.action)) throw new Error(`two handlers for action "${handler.action}"`);
    this.handlers.set(handler.action, handler);
  }

  get(action: string): EffectHandler | undefined {
    return this.handlers.get(action);
  }

  actions(): string[] {
    return [...this.handlers.keys()].sort();
  }

  /** Every named action of every definition that no handler carries out, as `type@version: action`. */
  unhandled(definitions: readonly CaseDefinition[]): string[] {
    return definitions.flatMap((def) =>
      namedActions(def)
        .filter((a) => !this.handlers.has(a))
        .map((a) => `${def.id}@${def.version}: ${a}`),
    );
  }
}
