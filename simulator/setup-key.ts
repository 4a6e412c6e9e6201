/** How the setup key is shown: its text format and the otpauth URI inside the QR code. */
import type { KeyFormat } from './types';

/** The key text in the account's display format (spec §4 "Display grouping"). */
export function formatKey(key: string, format: KeyFormat): string {
  switch (format) {
    case 'plain':
      return key;
    case 'grouped':
      return key.replace(/(.{4})(?=.)/g, '$1 ');
    case 'lowercase':
      return key.toLowerCase();
  }
}

/** The otpauth URI in the QR code (spec §4, inferred). */
export function otpauthUri(email: string, key: string): string {
  return `otpauth://totp/LinkedIn:${encodeURIComponent(email)}?secret=${key}&issuer=LinkedIn`;
}
