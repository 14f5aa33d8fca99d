const started = Date.now();

/** Progress on stderr, with seconds since the run started (the table goes to stdout). */
export function log(msg: string): void {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)} +${t}s] ${msg}\n`);
}
