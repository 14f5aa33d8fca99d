export { ChildRegistry, type CreateResult, type ListFilter } from './registry';
export { type MergeResult } from './merge';
export { parseRegistryCsv, TOWNSHIP_NAMES, MAX_IMPORT_ROWS, type ImportOptions, type ImportResult, type ImportRow } from './csv-import';
export { livingAloneFinding, ageOn, LIVING_ALONE_RULES, type LivingAloneFinding, type LivingAloneRules } from './living';
export { FULL_FILE_ROLES, mayReadFullFile, maskIdNumber, maskPhone, maskedView, maskHistory } from './mask';
export { validateChildData, idCheckDigit, idNumberProblem, editDistance, CHILD_ID, PHONE } from './validate';
export * from './types';
