import { API_PEOPLE, consoleApiSuite } from './api.suite';
import { policeEmergencyStory } from './police-emergency.story';
import { schoolAbsenceStory } from './school-absence.story';
import { type ConsoleStack, startConsoleStack } from './support';

/*
 * The console's tests share one built stack (one database, one API serving dist/console, one worker,
 * one Chromium): the API the console reads, then the two stories in the browser. The dropout
 * threshold is 3 school days (a county value in the policy file); every other deadline is the county's.
 */
jest.setTimeout(150_000);

let stack: ConsoleStack;

beforeAll(async () => {
  stack = await startConsoleStack('console', API_PEOPLE, {}, { dropoutAfterSchoolDays: 3 });
}, 150_000);

afterAll(async () => {
  await stack?.stop();
});

describe('the API the console reads', () => consoleApiSuite(() => stack));
describe('the school-absence story', () => schoolAbsenceStory(() => stack));
describe('the police-emergency story', () => policeEmergencyStory(() => stack));
