/**
 * Runs an app's bootstrap; a start-up failure (bad configuration, unreachable database) ends the
 * process with one readable line instead of a stack trace, and a non-zero exit code.
 */
export function bootstrapOrExit(name: string, bootstrap: () => Promise<void>): void {
  bootstrap().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${name} failed to start: ${message}\n`);
    process.exit(1);
  });
}
