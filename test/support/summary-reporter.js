/**
 * Prints one plain closing line, `jest: N passed, N failed, N skipped`, after Jest's own summary,
 * so a reader of CI output (human or not) sees the counts in a standard form.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests: passed, numFailedTests: failed, numPendingTests: skipped, numTodoTests: todo } = results;
    process.stdout.write(`\njest: ${passed} passed, ${failed} failed, ${skipped + todo} skipped\n`);
  }
}
module.exports = SummaryReporter;
