// The audio task's pre- and post-processing in one import: framing, resampling, FFT, log-mel, smoothing and events.
export { detectEvents, frameAgreement, smoothProbabilities, type AudioEvent, type EventOptions } from './events.ts';
export { audioFeatures } from './features.ts';
export { fft, powerSpectrum } from './fft.ts';
export { FrameStream, frameSignal } from './framing.ts';
export { AudioTaskStream, StreamResampler, type AudioFeed, type AudioFrameResult, type AudioRun } from './stream.ts';
export { hannWindow, hzToMel, logMel, melFilterbank, melToHz, type LogMelOptions, type MelOptions } from './mel.ts';
export { resample, type ResampleMethod } from './resample.ts';
