// Reads LiteRT's own log (the page's console) for failures LiteRT.js does not throw on, e.g. a kernel that failed to prepare.
import type { Page } from 'playwright-core';

/**
 * LiteRT log lines that mean the model will not run: a node's Prepare failed, tensors could not be
 * allocated, or Invoke failed. LiteRT.js 2.x logs these but still hands back a model whose `run`
 * returns whatever the output buffers held (stale memory: tiny denormals, NaN).
 */
const FATAL = /failed to prepare|failed to allocate tensors|failed to invoke|invoke\(\) failed|node number \d+ .* failed/i;
/** Other LiteRT error lines, quoted as context when a fatal one is seen (e.g. "failed to delegate CONCATENATION node #7"). */
const ERROR = /^error: ERROR: /;

/** The LiteRT ERROR lines among console `lines`. */
export function errorLines(lines: readonly string[]): string[] {
  return lines.filter((l) => ERROR.test(l));
}

/**
 * The failure LiteRT logged in `lines` (the page console lines written while loading and running one model), as one
 * sentence, or undefined when nothing fatal was logged.
 */
export function liteRtFailure(lines: readonly string[]): string | undefined {
  const errors = errorLines(lines).map((l) => l.replace(ERROR, '').replace(/^\[[^\]]*\]\s*/, '').replace(/\.$/, '').trim());
  const fatal = errors.filter((l) => FATAL.test(l));
  if (!fatal.length) return undefined;
  const context = errors.filter((l) => !FATAL.test(l));
  return `LiteRT logged: ${fatal.join('; ')}${context.length ? ` (after: ${context.slice(0, 3).join('; ')}${context.length > 3 ? '; …' : ''})` : ''}`;
}

/** Runs `fn` and returns its value with the console lines ('type: text') `page` printed meanwhile. */
export async function watchLog<T>(page: Page, fn: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const listen = (m: { type(): string; text(): string }) => { lines.push(`${m.type()}: ${m.text()}`); };
  page.on('console', listen);
  try {
    return { value: await fn(), lines };
  } finally {
    page.off('console', listen);
  }
}
