// A session seen through a wrapper: the same engine, inputs and release, with its own run (and outputs, if given).
import type { HostTensor, IoInfo, RuntimeSession } from './runtime.ts';

/** `session` with `run` (and `outputs`) replaced; info, inputs, release, profiling and timing pass through. */
export function wrapSession(
  session: RuntimeSession,
  run: (feeds: Record<string, HostTensor>, fetches?: string[]) => Promise<Record<string, HostTensor>>,
  outputs: readonly IoInfo[] = session.outputs,
): RuntimeSession {
  return {
    inputs: session.inputs,
    outputs,
    info: session.info,
    run,
    release: () => session.release(),
    ...(session.endProfiling ? { endProfiling: () => session.endProfiling!() } : {}),
    ...(session.lastRunMs ? { lastRunMs: () => session.lastRunMs!() } : {}),
  };
}
