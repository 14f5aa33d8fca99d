import type { CommitResult } from '#shouhu/engine';

/** Published on the CQRS event bus after every committed transition. */
export class CaseTransitioned {
  constructor(readonly result: CommitResult) {}
}
