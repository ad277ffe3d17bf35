// A QR code for the terminal (the `qrcode` package's half-block renderer, or plain blocks under NO_COLOR), so a phone can open the URL by pointing its camera.
import QRCode, { type BitMatrix } from 'qrcode';

/** Light modules of the quiet zone around the plain rendering (the coloured one draws its own one-module border). */
const PLAIN_MARGIN = 2;

/** Whether the NO_COLOR convention (https://no-color.org: set and not empty) asks for output without ANSI colours. */
export function noColor(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.NO_COLOR);
}

/**
 * The QR code of `text` as terminal text, two module rows per line. In colour (the default) dark modules on a light
 * background set with ANSI escapes; with `color: false` (the default when NO_COLOR is set) no escapes: light modules
 * and the quiet zone are block characters in the terminal's text colour and dark modules are blanks — right for the
 * usual light-on-dark terminal, inverted (which phone scanners read too) on a dark-on-light one.
 */
export function terminalQr(text: string, options: { color?: boolean } = {}): Promise<string> {
  if (options.color ?? !noColor()) return QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
  return Promise.resolve(plainQr(QRCode.create(text, { errorCorrectionLevel: 'M' }).modules));
}

/** Renders modules with '█' '▀' '▄' ' ' (upper/lower half light), a light quiet zone of PLAIN_MARGIN around them. */
function plainQr(modules: BitMatrix): string {
  const n = modules.size + 2 * PLAIN_MARGIN;
  const light = (x: number, y: number) => {
    const [r, c] = [y - PLAIN_MARGIN, x - PLAIN_MARGIN];
    return r < 0 || c < 0 || r >= modules.size || c >= modules.size || !modules.get(r, c);
  };
  const lines: string[] = [];
  for (let y = 0; y < n; y += 2) {
    let line = '';
    for (let x = 0; x < n; x++) {
      const top = light(x, y);
      const bottom = y + 1 < n && light(x, y + 1);
      line += top ? (bottom ? '█' : '▀') : bottom ? '▄' : ' ';
    }
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}
