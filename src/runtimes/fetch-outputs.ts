// Narrows a session to chosen outputs: they are what it reports and what every run fetches (e.g. a reference's inner values).
import { OndeviceError } from '../errors.ts';
import type { IoInfo, RuntimeSession } from './runtime.ts';
import { wrapSession } from './wrap-session.ts';

/**
 * Wraps `session` so that its outputs are `names`, in that order, and every run fetches just those. With `innerValues`,
 * a name the session does not list as an output (an inner value a runtime can fetch, as TF.js can) is described with an
 * unknown dtype and shape (a runtime that cannot fetch it fails when run, naming it); without, it is an error.
 * @throws OndeviceError naming `file` and the outputs it lacks.
 */
export function fetchOnly(session: RuntimeSession, names: readonly string[], file: string, innerValues = false): RuntimeSession {
  const missing = names.filter((n) => !session.outputs.some((o) => o.name === n));
  if (missing.length && !innerValues) {
    throw new OndeviceError(`no output ${missing.map((n) => `'${n}'`).join(', ')} (outputs: ${session.outputs.map((o) => o.name).join(', ')})`, { file });
  }
  const outputs: IoInfo[] = names.map((name) => session.outputs.find((o) => o.name === name) ?? { name, dtype: 'unknown', shape: [] });
  return wrapSession(session, (feeds, fetches) => session.run(feeds, fetches ?? [...names]), outputs);
}
