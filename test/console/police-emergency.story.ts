import { TOKENS, waitFor } from '../support/stack';
import { act, choose, type ConsoleStack, login, newPage, shot } from './support';

/*
 * The police-emergency story in the console (headless Chromium on the built stack): a school files a
 * mandatory report (over the API); the station's officer logs in, sees it with the time since filing,
 * accepts and dispatches it; on the emergency case records the temporary-care placement (a save that
 * loses a race answers 409 in plain words and keeps what was typed, also across a reload) and hands
 * the child over; sends the 3-day feedback and concludes the report with its outcome. The civil-affairs
 * worker then opens the assessment: the child's file, the diagram, the timeline, the deadlines and
 * exactly the actions the API allows. Last, the phone-sized screen and the English switch.
 */
export function policeEmergencyStory(current: () => ConsoleStack): void {
  let stack: ConsoleStack;
  beforeAll(() => {
    stack = current();
  });
  const childCases = async (childId: string) =>
    (await stack.client.call('GET', `/children/${childId}/cases`, TOKENS.civilAffairs)).body.cases as { id: string; type: string; state: string }[];

  it('the police handle a mandatory report to temporary care; civil affairs sees the case page', async () => {
    const filed = await stack.client.call('POST', '/reports', TOKENS.school, {
      child: { childId: 'c-7001', name: '小雨', township: 'maluguo', village: 'maluguo-village', school: 'maluguo-school' },
      triggers: ['ALONE_NO_GUARDIAN'],
      description: '孩子独自在家三天，父母在外务工联系不上',
    });
    expect(filed.status).toBe(201);
    const reportId = filed.body.id as string;

    const { page, errors } = await newPage(stack);
    await page.goto(`${stack.baseUrl}/console/`);
    await shot(page, 'police-01-login');
    await login(page, stack.baseUrl, TOKENS.police);
    expect(await page.getByTestId('whoami').textContent()).toContain('马鹿沟派出所');

    // The inbox: the station's notices of new reports (delivered by the worker); one acknowledged leaves the unacknowledged list.
    const notices = page.getByTestId('inbox').locator('tbody tr', { hasText: '收到强制报告' });
    const count = await waitFor('the notice in the inbox', async () => {
      await page.getByTestId('inbox-refresh').click();
      const n = await notices.count();
      return n > 0 && n;
    }, 20_000, 500);
    await shot(page, 'police-01b-inbox');
    await notices.first().getByTestId('ack').click();
    await waitFor('the acknowledged notice gone', async () => (await notices.count()) === count - 1);

    // The station's new reports, with the time since filing.
    await page.getByTestId('nav-reports').click();
    const row = page.getByTestId('reports').locator('tr', { hasText: '小雨' });
    await row.waitFor();
    expect(await row.getByTestId('since-filing').textContent()).toMatch(/^\d+(秒|分钟)前$/);
    expect(await row.textContent()).toContain('待受理');
    await shot(page, 'police-02-reports');
    await row.getByTestId('case-link').click();
    await page.getByTestId('case-page').waitFor();

    await act(page, 'ACCEPT');
    expect(await page.getByTestId('case-state').textContent()).toContain('待出警');
    await act(page, 'DISPATCH', (p) => p.getByTestId('field-note').fill('民警已赶赴现场'));
    expect(await page.getByTestId('case-state').textContent()).toContain('已出警');
    await shot(page, 'police-03-report-dispatched');

    // The dispatch opened the emergency case (through the worker).
    const emergency = await waitFor('the emergency case', async () => (await childCases('c-7001')).find((c) => c.type === 'emergency'), 20_000);
    await page.goto(`${stack.baseUrl}/console/cases/${emergency.id}`);
    await page.getByTestId('case-page').waitFor();
    expect(await page.getByTestId('case-state').textContent()).toContain('现场处置');

    // Temporary care: the form is filled while a colleague records protection first; the save answers 409.
    await page.getByTestId('action-TEMPORARY_CARE').click();
    await choose(page, 'field-ground', '监护人拒绝或者怠于履行监护职责');
    await page.getByTestId('field-institution').fill('长白县儿童福利院');
    const other = await stack.client.call('POST', `/cases/${emergency.id}/events`, TOKENS.police, { type: 'PROTECT', payload: { measures: '民警陪护' } });
    expect(other.status).toBe(200);
    await page.getByTestId('submit-event').click();
    await page.getByTestId('error').waitFor();
    expect(await page.getByTestId('error').textContent()).toContain('此案件已被他人更新，请刷新后重试');
    expect(await page.getByTestId('field-institution').inputValue()).toBe('长白县儿童福利院');
    await shot(page, 'police-04-conflict-keeps-input');

    // Reloaded, the draft is still there; sent again on the new version it is taken.
    await page.reload();
    await page.getByTestId('case-page').waitFor();
    expect(await page.getByTestId('case-state').textContent()).toContain('已保护');
    await page.getByTestId('action-TEMPORARY_CARE').click();
    expect(await page.getByTestId('field-institution').inputValue()).toBe('长白县儿童福利院');
    await page.getByTestId('submit-event').click();
    await page.getByTestId('form-TEMPORARY_CARE').waitFor({ state: 'detached' });
    await waitFor('temporary care', async () => (await page.getByTestId('case-state').textContent())?.includes('临时监护') ?? false);
    await act(page, 'HANDOVER');
    expect(await page.getByTestId('case-state').textContent()).toContain('已移交民政');
    await shot(page, 'police-05-emergency-handed-over');

    // Back on the report: the 3-day feedback, then the outcome.
    await page.goto(`${stack.baseUrl}/console/cases/${reportId}`);
    await page.getByTestId('case-page').waitFor();
    const feedbackDue = await page.getByTestId('deadlines').textContent();
    expect(feedbackDue).toContain('3日内反馈期限');
    expect(feedbackDue).toMatch(/剩余 2天23小时/);
    await act(page, 'GIVE_FEEDBACK', (p) => p.getByTestId('field-summary').fill('已出警，儿童已临时安置于县儿童福利院'));
    expect(await page.getByTestId('case-state').textContent()).toContain('已反馈');
    await act(page, 'CONCLUDE', (p) => p.getByTestId('field-outcome').fill('儿童临时监护，已移交民政部门评估帮扶'));
    expect(await page.getByTestId('case-state').textContent()).toContain('已办结');
    expect(await page.getByTestId('actions').textContent()).toContain('当前状态下您没有可办理的操作');
    await shot(page, 'police-06-report-concluded');
    expect(errors).toEqual([]);

    // Civil affairs: the assessment the handover opened.
    const assessment = await waitFor('the assessment case', async () => (await childCases('c-7001')).find((c) => c.type === 'assessment'), 20_000);
    const worker = await newPage(stack);
    await login(worker.page, stack.baseUrl, TOKENS.civilAffairs);
    await worker.page.goto(`${stack.baseUrl}/console/cases/${assessment.id}`);
    const casePage = worker.page.getByTestId('case-page');
    await casePage.waitFor();
    await worker.page.locator('[data-testid=diagram] canvas').first().waitFor();
    expect(await worker.page.getByTestId('diagram-active').textContent()).toContain('assessing');
    expect(await worker.page.getByTestId('child-file').textContent()).toContain('c-7001');
    expect(await worker.page.getByTestId('timeline').getByTestId('timeline-entry').count()).toBeGreaterThanOrEqual(1);
    expect(await worker.page.getByTestId('deadlines').textContent()).toMatch(/剩余/);
    // Exactly the actions the API allows this user now: no more, no fewer.
    const view = (await stack.client.call('GET', `/cases/${assessment.id}`, TOKENS.civilAffairs)).body as { allowedEvents: string[] };
    expect(view.allowedEvents.length).toBeGreaterThan(0);
    const shown = await worker.page.getByTestId('actions').locator('[data-testid^=action-]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice('action-'.length)));
    expect(shown.sort()).toEqual([...view.allowedEvents].sort());
    await shot(worker.page, 'police-07-civil-affairs-case-page');

    // The assessment and the plan through their forms; the plan's referrals are the policy's service units.
    await act(worker.page, 'SUBMIT_ASSESSMENT', async (p) => {
      await choose(p, 'field-safety', '存在风险');
      await p.getByTestId('field-health').fill('身体健康，情绪低落，需心理疏导');
      await choose(p, 'field-guardianship', '无监护能力');
    });
    expect(await worker.page.getByTestId('case-state').textContent()).toContain('制定帮扶方案');
    await act(worker.page, 'SUBMIT_PLAN', async (p) => {
      await p.getByTestId('field-goals').fill('联系父母返乡\n每周心理疏导');
      await choose(p, 'field-referrals', '县妇联');
      await p.keyboard.press('Escape');
    });
    expect(await worker.page.getByTestId('case-state').textContent()).toContain('待审批方案');
    await shot(worker.page, 'police-07b-assessment-plan-submitted');

    // The report as civil affairs reads it: its whole timeline, with the police officer's steps.
    await worker.page.goto(`${stack.baseUrl}/console/cases/${reportId}`);
    await worker.page.getByTestId('case-page').waitFor();
    const timeline = await worker.page.getByTestId('timeline').textContent();
    for (const step of ['立案', '受理', '出警', '向报告人反馈（3日内）', '办结并告知结果']) expect(timeline).toContain(step);
    expect(worker.errors).toEqual([]);

    // A phone-sized screen, and the English switch (remembered).
    const phone = await newPage(stack, { width: 390, height: 844 });
    await login(phone.page, stack.baseUrl, TOKENS.police);
    await phone.page.goto(`${stack.baseUrl}/console/reports`);
    await phone.page.getByTestId('reports').locator('tr', { hasText: '小雨' }).waitFor();
    await shot(phone.page, 'police-08-phone-reports');
    await phone.page.goto(`${stack.baseUrl}/console/cases/${emergency.id}`);
    await phone.page.getByTestId('case-page').waitFor();
    const width = (await phone.page.evaluate("document.documentElement.scrollWidth")) as number;
    expect(width).toBeLessThanOrEqual(390);
    await phone.page.getByTestId('lang').click();
    await phone.page.getByText('Actions allowed now').waitFor();
    expect(await phone.page.getByTestId('case-state').textContent()).toContain('handed over');
    await phone.page.reload();
    await phone.page.getByText('Pending deadlines').waitFor();
    await shot(phone.page, 'police-09-phone-case-english');
    expect(phone.errors).toEqual([]);
  });

  it('the joint-meeting office sees the county dashboard and exports it', async () => {
    const office = await newPage(stack);
    await login(office.page, stack.baseUrl, 'tok-office');
    await office.page.getByTestId('nav-dashboard').click();
    await office.page.locator('[data-testid=chart-open] canvas').first().waitFor();
    expect(await office.page.getByTestId('dashboard').textContent()).toContain('季度信息更新报送');
    await shot(office.page, 'office-01-dashboard');
    const download = office.page.waitForEvent('download');
    await office.page.getByTestId('export-csv').click();
    expect((await download).suggestedFilename()).toMatch(/^shouhu-dashboard-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(office.errors).toEqual([]);
  });

  it('the township sees its registry and its quarterly returns', async () => {
    const town = await newPage(stack);
    await login(town.page, stack.baseUrl, 'tok-township-maluguo');
    await town.page.getByTestId('nav-registry').click();
    await town.page.getByTestId('children').waitFor();
    await town.page.getByRole('tab', { name: '季度信息更新' }).click();
    // The API suite opened two quarters' returns for every township; maluguo filed both.
    const rows = town.page.getByTestId('returns').locator('tbody tr', { hasText: '马鹿沟' }).or(town.page.getByTestId('returns').locator('tbody tr', { hasText: 'maluguo' }));
    await waitFor('the returns', async () => (await rows.count()) === 2);
    expect(await town.page.getByTestId('returns').textContent()).toMatch(/逾期报送/);
    await shot(town.page, 'township-01-returns');
    expect(town.errors).toEqual([]);
  });
}
