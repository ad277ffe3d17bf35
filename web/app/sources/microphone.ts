// The microphone as a sample source: getUserMedia (no echo cancellation or gain control) → Web Audio → float32 chunks at the device rate.

/** A running microphone delivering mono chunks to a callback. */
export class Microphone {
  private context: AudioContext | null = null;
  private stream: MediaStream | null = null;
  private node: ScriptProcessorNode | null = null;

  /**
   * Opens the microphone and calls `onChunk` with each block of samples (4,096 at the device's rate).
   * @throws DOMException NotSupportedError without the media API (https or localhost needed), or getUserMedia's refusal.
   */
  async start(onChunk: (samples: Float32Array, sampleRate: number) => void): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new DOMException('no microphone API here (the page must be served over https or from localhost)', 'NotSupportedError');
    }
    this.stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false }, video: false });
    this.context = new AudioContext();
    const source = this.context.createMediaStreamSource(this.stream);
    // ScriptProcessorNode: deprecated but everywhere, and needs no separate worklet module (the page's CSP allows same-origin scripts only).
    this.node = this.context.createScriptProcessor(4096, 1, 1);
    this.node.onaudioprocess = (e) => onChunk(new Float32Array(e.inputBuffer.getChannelData(0)), this.context!.sampleRate);
    source.connect(this.node);
    this.node.connect(this.context.destination);
    await this.context.resume();
  }

  /** Stops capturing and releases the microphone. */
  stop(): void {
    this.node?.disconnect();
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    void this.context?.close();
    this.node = null;
    this.stream = null;
    this.context = null;
  }

  get active(): boolean {
    return this.context !== null;
  }
}
