/**
 * SIGTERM/SIGINT close the application (workers stop taking jobs and finish the running ones, then
 * connections close) and exit 0; a second signal exits at once.
 */
export function closeOnSignals(app: { close(): Promise<void> }, log: (msg: string) => void = () => undefined): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) process.exit(130);
    closing = true;
    log(`${signal}: draining and closing`);
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
