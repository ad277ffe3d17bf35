// Public API of the profiler.
export { profileModel, type ProfileOptions, type ProfileResult } from './profile.ts';
export { latencyStats, percentile, type LatencyStats } from './stats.ts';
export { aggregateOpTimes, type OpTimes, type OpTime, type NodeTime } from './op-times.ts';
export { synthesizeInputs } from './inputs.ts';
