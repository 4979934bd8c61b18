/**
 * One-shot commands end with process.exit (so no stray handle can keep the CLI hanging); the
 * long-running ones (serve, worker) call keepAlive() and end by signal instead.
 */
let alive = false;

export function keepAlive(): void {
  alive = true;
}

export function isKeptAlive(): boolean {
  return alive;
}
