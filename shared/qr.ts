/**
 * The enrolment QR code an owner scans to add the same key to their own authenticator app:
 * an `otpauth://` Key URI, rendered as PNG, SVG or terminal text.
 *
 * The URI and every rendering of it contain the key: treat them as secrets (never log them,
 * never put them in Redis or job data).
 *
 * @see https://github.com/google/google-authenticator/wiki/Key-Uri-Format
 */
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { ValidationError } from './errors';
import { normalizeKey } from './totp';

/** What goes into the enrolment URI. */
export interface OtpauthUriInput {
  /** The account name shown in the authenticator app; LinkedIn accounts are e-mail addresses. */
  readonly email: string;
  /** The TOTP key in any spelling {@link normalizeKey} accepts; written out canonical. */
  readonly secret: string;
  /** Shown in the app above the account name. */
  readonly issuer?: string;
}

/**
 * `otpauth://totp/<issuer>:<email>?secret=<KEY>&issuer=<issuer>`. Issuer and email are each
 * percent-encoded (encodeURIComponent) and joined by a literal ':', as the Key URI format asks;
 * algorithm, digits and period are left out because the defaults (SHA1, 6, 30) are LinkedIn's
 * and some apps mishandle explicit values.
 */
export function otpauthUri({ email, secret, issuer = 'LinkedIn' }: OtpauthUriInput): string {
  if (email.trim() === '')
    throw new ValidationError('expected an account e-mail, got an empty value', 'email');
  if (issuer.trim() === '' || issuer.includes(':')) {
    throw new ValidationError('expected an issuer that is not empty and has no ":"', 'issuer');
  }
  const key = normalizeKey(secret).secret;
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(email)}`;
  return `otpauth://totp/${label}?secret=${key}&issuer=${encodeURIComponent(issuer)}`;
}

/**
 * Error correction "M" recovers about 15 % damage (ISO/IEC 18004 §6.5.1), enough for a photo
 * of a screen; a 4-module quiet zone is what the standard requires around the symbol.
 */
const QR_OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;

/** The QR code as a PNG image; 8 pixels per module keeps it scannable from a laptop screen. */
export function qrPng(text: string): Promise<Buffer> {
  return QRCode.toBuffer(text, { ...QR_OPTIONS, type: 'png', scale: 8 });
}

/** The QR code as a standalone SVG document (starts with `<svg`). */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { ...QR_OPTIONS, type: 'svg' });
}

/** The QR code as text for a terminal, two modules per character row (qrcode's `small` mode). */
export function qrTerminal(text: string): Promise<string> {
  return QRCode.toString(text, { ...QR_OPTIONS, type: 'terminal', small: true });
}

/**
 * Reads the text of a QR code in a PNG image (the setup step's QR when no key text is shown),
 * or null when the image holds no readable code. The result is the key URI: a secret.
 */
export function decodeQrPng(png: Buffer): string | null {
  let image: PNG;
  try {
    image = PNG.sync.read(png);
  } catch {
    return null;
  }
  const found = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  return found?.data ? found.data : null;
}
