import { DateTime } from 'luxon';
import { TOKENS, waitFor } from '../support/stack';
import { act, choose, type ConsoleStack, login, newPage, shot } from './support';

/*
 * The school-absence story in the console (headless Chromium on the built stack): the teacher logs in,
 * records an absence with the form, uploads the next days' attendance file (a file with a bad row is
 * refused whole, with its error report), follows the dropout case the run of absence registered,
 * records three failed persuasion visits, submits the written report and reads it. The dropout
 * threshold is 3 school days (a county value in the policy file).
 */

/** The last `n` weekdays before today in Asia/Shanghai, oldest first. */
function schoolDays(n: number): string[] {
  const days: string[] = [];
  let d = DateTime.now().setZone('Asia/Shanghai').startOf('day');
  while (days.length < n) {
    d = d.minus({ days: 1 });
    if (d.weekday <= 5) days.unshift(d.toISODate()!);
  }
  return days;
}


export function schoolAbsenceStory(current: () => ConsoleStack): void {
  let stack: ConsoleStack;
  beforeAll(() => {
    stack = current();
  });

  it('a teacher records an absence, follows the dropout case, records visits and reads the written report', async () => {
    const [day1, day2, day3] = schoolDays(3);
    const { page, errors } = await newPage(stack);
    await login(page, stack.baseUrl, TOKENS.school);
    await shot(page, 'school-01-inbox');
    await page.getByTestId('nav-school').click();

    // One absence through the form: an absence case opens.
    await page.getByTestId('att-childId').fill('c-8001');
    await page.getByTestId('att-childName').fill('小明');
    await page.getByTestId('att-village').fill('maluguo-village');
    await page.getByTestId('att-className').fill('四年级二班');
    await page.getByTestId('att-date').fill(day1!);
    await page.getByTestId('att-submit').click();
    await page.getByTestId('attendance-outcome').waitFor();
    expect(await page.getByTestId('attendance-outcome').textContent()).toMatch(/新开缺勤案件: 1/);
    await shot(page, 'school-02-absence-recorded');

    const header = 'childId,childName,township,village,className,date,status,reason';
    const input = page.locator('input[type=file]');
    // A file with a bad row: refused whole, the error report names the row and field.
    await input.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}\r\nc-8001,小明,maluguo,maluguo-village,四年级二班,yesterday,absent,\r\n`) });
    await page.getByTestId('row-errors').waitFor();
    expect(await page.getByTestId('row-errors').textContent()).toContain('date');
    expect(await page.getByTestId('error').textContent()).toContain('填写的内容有误');
    await shot(page, 'school-03-file-refused');

    // The next two days as a file: three school days of unexplained absence register a dropout.
    const rows = [day2, day3].map((d) => `c-8001,小明,maluguo,maluguo-village,四年级二班,${d},absent,`);
    await input.setInputFiles({ name: 'attendance.csv', mimeType: 'text/csv', buffer: Buffer.from([header, ...rows].join('\r\n')) });
    await page.getByTestId('attendance-outcome').waitFor();
    expect(await page.getByTestId('attendance-outcome').textContent()).toMatch(/登记辍学: 1/);

    // The dropout case opens (the absence case's effect, through the worker): follow it.
    await waitFor('the dropout case in the list', async () => {
      await page.getByTestId('refresh').click();
      return (await page.getByTestId('school-cases').textContent())?.includes('劝返复学') ?? false;
    }, 20_000, 500);
    await shot(page, 'school-04-cases');
    await page.getByTestId('school-cases').locator('tr', { hasText: '劝返复学' }).getByTestId('case-link').click();
    await page.getByTestId('case-page').waitFor();
    expect(await page.getByTestId('case-state').textContent()).toContain('劝返中');

    // Three failed persuasion visits make the written report due.
    for (const notes of ['家中无人', '祖母称孩子不愿上学', '家长外出务工未归']) {
      await act(page, 'RECORD_VISIT', async (p) => {
        await choose(p, 'field-by', '教师');
        await choose(p, 'field-outcome', '劝返未果');
        await p.getByTestId('field-notes').fill(notes);
      });
    }
    expect(await page.getByTestId('case-state').textContent()).toContain('应书面报告');
    // The timeline is read after the case itself (GET /history), so it may follow a moment later.
    await waitFor('the three visits in the timeline', async () => (await page.getByTestId('timeline').getByTestId('timeline-entry').count()) >= 4, 10_000, 200);
    await shot(page, 'school-05-visits');

    await act(page, 'SUBMIT_WRITTEN_REPORT', (p) => p.getByTestId('field-statement').fill('经三次上门劝返无效，特此书面报告，请依法采取措施。'));
    expect(await page.getByTestId('case-state').textContent()).toContain('待教育局、乡镇签收');

    // The generated written report, shown in a sandboxed frame.
    await page.getByTestId('written-report').click();
    const report = page.frameLocator('[data-testid=written-report-frame]');
    await report.getByText('书面报告').first().waitFor();
    expect(await report.locator('body').textContent()).toContain('祖母称孩子不愿上学');
    await shot(page, 'school-06-written-report');
    expect(errors).toEqual([]);
  });
}
