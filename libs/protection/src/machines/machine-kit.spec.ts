import { CHANGBAI_POLICY } from '../policy/changbai.policy';
import { childSubjectProblems } from './machine-kit';
import { guardianshipDefinition } from './guardianship.machine';
import { mandatoryReportDefinition } from './mandatory-report.machine';

describe('what a protection case is opened with', () => {
  const child = { childId: 'c-1', township: 'maluguo', village: 'maluguo-village' };

  it('needs a child file number and a township code; village and school, when given, are unit codes', () => {
    expect(childSubjectProblems(child)).toEqual([]);
    expect(childSubjectProblems({ childId: '', township: 'Maluguo Town', school: 42 }).map((p) => p.field)).toEqual([
      'subject.childId',
      'subject.township',
      'subject.school',
    ]);
  });

  it('a mandatory report names known trigger codes and says what was seen', () => {
    const validate = mandatoryReportDefinition(CHANGBAI_POLICY).validateOpen!;
    expect(validate({ subject: child, data: { triggers: ['ALONE_NO_GUARDIAN'], description: '独自在家' } })).toEqual([]);
    expect(validate({ subject: child, data: { triggers: ['ALONE_NO_GUARDIAN', 'UFO'], description: ' ' } }).map((p) => p.field)).toEqual([
      'data.triggers',
      'data.description',
    ]);
  });

  it('every other mechanism checks the child subject too', () => {
    expect(guardianshipDefinition(CHANGBAI_POLICY).validateOpen!({ subject: { childId: 'c-1' }, data: {} })).toEqual([
      { field: 'subject.township', message: 'must be a township code such as maluguo' },
    ]);
  });
});
