// The camera as a frame source: getUserMedia (rear camera preferred), one callback per new video frame, dropping frames while busy.
import type { Frame } from '../preprocess/frame.ts';

type VideoWithCallback = HTMLVideoElement & { requestVideoFrameCallback?(cb: () => void): number };

/** A running camera feed shown in `video`. */
export class Camera {
  private stream: MediaStream | null = null;
  private running = false;
  constructor(readonly video: HTMLVideoElement) {}

  /**
   * Opens the camera (the rear one on phones) and starts playing it.
   * @throws DOMException NotSupportedError when the browser has no camera API (pages must be https or localhost),
   * or getUserMedia's DOMException (NotAllowedError, NotFoundError, …) when access is refused or there is no camera.
   */
  async start(): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new DOMException('no camera API here (the page must be served over https or from localhost)', 'NotSupportedError');
    }
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: 'environment' }, width: { ideal: 640 }, height: { ideal: 480 } },
    });
    this.video.srcObject = this.stream;
    this.video.muted = true;
    this.video.playsInline = true;
    await this.video.play();
  }

  /** The current frame. */
  frame(): Frame {
    return { source: this.video, width: this.video.videoWidth, height: this.video.videoHeight };
  }

  /** Calls `onFrame` for each new frame, waiting for it to finish before taking the next (so slow models drop frames). */
  loop(onFrame: (frame: Frame) => Promise<void>): void {
    this.running = true;
    const v = this.video as VideoWithCallback;
    const next = () => {
      if (!this.running) return;
      if (v.requestVideoFrameCallback) v.requestVideoFrameCallback(tick);
      else requestAnimationFrame(tick);
    };
    const tick = () => {
      if (!this.running) return;
      if (this.video.videoWidth === 0) return next();
      onFrame(this.frame()).catch((e) => console.error(e)).finally(next);
    };
    next();
  }

  /** Stops the loop and releases the camera. */
  stop(): void {
    this.running = false;
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
    this.video.srcObject = null;
  }

  get active(): boolean {
    return this.running;
  }
}
