import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { writeFastPolicy } from '../support/fast-policy';
import { ApiClient, createTestDatabase, freePort, prepareDatabase, stackEnv, type StackProcess, startProcess, type TestPerson, waitFor } from '../support/stack';

/*
 * The console's tests run the built stack (fresh PostgreSQL database, own Redis prefix, the built API
 * serving dist/console, the worker) and drive the page in Debian's headless Chromium through
 * playwright-core. Screenshots land in test-artifacts/console/ (CI keeps them).
 */

export const ARTIFACTS = resolve(__dirname, '../../test-artifacts/console');

// Without the background-networking flags Chromium opens connections this closed network refuses.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface ConsoleStack {
  client: ApiClient;
  baseUrl: string;
  browser: Browser;
  api: StackProcess;
  worker: StackProcess;
  stop: () => Promise<void>;
}

export async function startConsoleStack(
  label: string,
  people: TestPerson[],
  policy: Parameters<typeof writeFastPolicy>[1] = {},
  school: Parameters<typeof writeFastPolicy>[2] = {},
  withBrowser = true,
): Promise<ConsoleStack> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const db = await createTestDatabase(label);
  await prepareDatabase(db.url, people);
  const dir = mkdtempSync(join(tmpdir(), `shouhu-${label}-`));
  const env = stackEnv(db.url, await freePort(), { PROTECTION_POLICY_FILE: writeFastPolicy(dir, policy, school), CASE_DEFINITION_MODULES: '' });
  const api = startProcess('api', env);
  const worker = startProcess('worker', env);
  const baseUrl = `http://127.0.0.1:${env.PORT}`;
  const client = new ApiClient(baseUrl);
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    worker.child.kill('SIGTERM');
    api.child.kill('SIGTERM');
    await Promise.all([worker.exited, api.exited]);
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor('the API', async () => (await client.call('GET', '/health/ready', null)).status === 200, 60_000);
    await waitFor('the worker', async () => worker.output().includes('worker started'), 60_000);
    if (withBrowser) browser = await chromium.launch({ headless: true, executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  } catch (err) {
    await stop();
    throw new Error(`${String(err)}\n--- api ---\n${api.output()}\n--- worker ---\n${worker.output()}`);
  }
  return { client, baseUrl, browser: browser!, api, worker, stop };
}

/** A fresh browser context (its own storage) at a viewport; pages fail on an uncaught page error. */
export async function newPage(stack: ConsoleStack, viewport = { width: 1366, height: 900 }): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await stack.browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return { context, page, errors };
}

export async function login(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByTestId('token').fill(token);
  await page.getByTestId('login').click();
  await page.getByTestId('whoami').or(page.getByTestId('menu')).first().waitFor();
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Chooses an option of an antd Select in the field with this test id (the dropdown renders in a portal). */
export async function choose(page: Page, testId: string, option: string | RegExp): Promise<void> {
  await page.getByTestId(testId).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: option }).first().click();
}

/** Sends one allowed event through the case page's form: click the action, fill, submit, wait for the new version. */
export async function act(page: Page, event: string, fill: (page: Page) => Promise<void> = async () => undefined): Promise<void> {
  const before = await page.getByTestId('case-version').getAttribute('data-version');
  await page.getByTestId(`action-${event}`).click();
  await fill(page);
  await page.getByTestId('submit-event').click();
  await page.getByTestId(`form-${event}`).waitFor({ state: 'detached' });
  await waitFor(`the case page after ${event}`, async () => (await page.getByTestId('case-version').getAttribute('data-version')) !== before);
}
