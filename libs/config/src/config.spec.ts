import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives the embedded defaults with no environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, REDIS_URL: 'redis://127.0.0.1:6379', LOG_LEVEL: 'info', embeddedDatabase: true, CASE_DEFINITION_MODULES: [] });
    expect(c.dataDir).toMatch(/\/data$/);
  });

  it('selects PostgreSQL when DATABASE_URL is set and splits the definition module list', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/shouhu', CASE_DEFINITION_MODULES: ' a.js, b.js ,' });
    expect(c.embeddedDatabase).toBe(false);
    expect(c.CASE_DEFINITION_MODULES).toEqual(['a.js', 'b.js']);
  });

  it('names every bad variable and its rule at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: '70000', DATABASE_URL: 'mysql://x', REDIS_URL: 'nonsense', LOG_LEVEL: 'chatty', QUEUE_PREFIX: 'a:b' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('PORT: PORT must be a whole number from 0 to 65535, got "70000"');
    expect(problems).toContain('DATABASE_URL: DATABASE_URL must start with postgres: or postgresql:');
    expect(problems).toContain('REDIS_URL: REDIS_URL is not a URL');
    expect(problems).toContain('LOG_LEVEL: LOG_LEVEL must be one of');
    expect(problems).toContain('QUEUE_PREFIX');
  });
});

describe('CLOCK_OFFSET_MS', () => {
  it('is a whole number of milliseconds, zero by default', () => {
    expect(loadConfig({}).CLOCK_OFFSET_MS).toBe(0);
    expect(loadConfig({ CLOCK_OFFSET_MS: '-86400000' }).CLOCK_OFFSET_MS).toBe(-86_400_000);
    expect(() => loadConfig({ CLOCK_OFFSET_MS: 'tomorrow' })).toThrow(/CLOCK_OFFSET_MS/);
  });
});
