// Frame → model input for a config: the recipe's crop and resize, or (digit mode) MNIST-style digit normalisation first.
import type { InputMode } from '../config.ts';
import { normalizeDigit } from './digit.ts';
import { FrameGrabber, type Frame } from './frame.ts';
import type { Pixels } from './pixels.ts';
import { centreSquare, recipeCrop, type WebRecipe } from './recipe.ts';
import { inputDims, pixelsToTensor } from './tensor.ts';

/** A prepared input, plus the small image the model sees (for display), or null if the frame holds nothing to classify. */
export interface Prepared {
  tensor: Float32Array;
  dims: number[];
  seen: Pixels;
}

/** Side (px) a digit frame is reduced to before normalisation: enough detail, cheap to scan. */
const DIGIT_GRAB = 112;

/** Turns frames into model inputs according to the recipe and the input mode. */
export class Preprocessor {
  private readonly grabber = new FrameGrabber();
  readonly dims: number[];
  constructor(readonly recipe: WebRecipe, readonly mode: InputMode) {
    this.dims = inputDims(recipe);
  }

  /**
   * Digit mode takes the centre square of a camera frame (`digitCrop` of its shorter side; the whole square
   * of a drawing pad), normalises the digit (see digit.ts) and applies the recipe to the 28×28 result.
   * Image mode applies the recipe's own crop and resize to the frame.
   */
  prepare(frame: Frame, digitCrop = 1): Prepared | null {
    const [h, w] = this.recipe.size;
    let seen: Pixels | null;
    if (this.mode === 'digit') {
      const grabbed = this.grabber.grab(frame, centreSquare(frame.width, frame.height, digitCrop), DIGIT_GRAB, DIGIT_GRAB);
      seen = normalizeDigit(grabbed, { size: Math.min(h, w), box: Math.round((Math.min(h, w) * 20) / 28) });
      if (!seen) return null;
    } else {
      seen = this.grabber.grab(frame, recipeCrop(frame.width, frame.height, this.recipe), w, h);
    }
    return { tensor: pixelsToTensor(seen, this.recipe), dims: this.dims, seen };
  }
}
