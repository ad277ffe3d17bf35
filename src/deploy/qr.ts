// A QR code for the terminal (the `qrcode` package's half-block renderer), so a phone can open the URL by pointing its camera.
import QRCode from 'qrcode';

/** The QR code of `text` as terminal text (two rows per line, dark-on-light). */
export function terminalQr(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}
