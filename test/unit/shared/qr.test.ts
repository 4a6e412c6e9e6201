import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { ValidationError } from '../../../shared/errors';
import { decodeQrPng, otpauthUri, qrPng, qrSvg, qrTerminal } from '../../../shared/qr';
import { normalizeKey } from '../../../shared/totp';

const KEY = 'JBSWY3DPEHPK3PXP';

/** Decodes the first QR code in a PNG, as a phone would. */
function decodePng(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

describe('otpauthUri', () => {
  it('builds exactly the LinkedIn enrolment URI', () => {
    expect(otpauthUri({ email: 'alice@example.com', secret: KEY })).toBe(
      `otpauth://totp/LinkedIn:alice%40example.com?secret=${KEY}&issuer=LinkedIn`,
    );
  });

  it("percent-encodes the label parts, '+' and special characters included", () => {
    expect(otpauthUri({ email: 'bob+li&co@example.com', secret: KEY, issuer: 'ACME Co' })).toBe(
      `otpauth://totp/ACME%20Co:bob%2Bli%26co%40example.com?secret=${KEY}&issuer=ACME%20Co`,
    );
  });

  it('writes the key canonical and round-trips through normalizeKey', () => {
    const uri = otpauthUri({ email: 'bob+x@example.com', secret: 'jbsw y3dp-ehpk 3pxp==' });
    expect(uri).toContain(`secret=${KEY}&`);
    expect(normalizeKey(uri)).toMatchObject({
      secret: KEY,
      label: 'bob+x@example.com',
      issuer: 'LinkedIn',
    });
  });

  it('rejects an empty email, a bad issuer and a bad key', () => {
    expect(() => otpauthUri({ email: ' ', secret: KEY })).toThrow(ValidationError);
    expect(() => otpauthUri({ email: 'a@b.c', secret: KEY, issuer: 'a:b' })).toThrow(
      ValidationError,
    );
    expect(() => otpauthUri({ email: 'a@b.c', secret: 'short' })).toThrow(ValidationError);
  });
});

describe('QR renderings', () => {
  const uri = otpauthUri({ email: 'bob+li&co@example.com', secret: KEY });

  it('PNG decodes back to exactly the same URI', async () => {
    const png = await qrPng(uri);
    expect(png.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    expect(decodePng(png)).toBe(uri);
  });

  it('SVG is an svg document', async () => {
    const svg = await qrSvg(uri);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('terminal text is non-empty block art', async () => {
    const text = await qrTerminal(uri);
    expect(text.trim().length).toBeGreaterThan(0);
    expect(text.split('\n').length).toBeGreaterThan(10);
  });
});

describe('decodeQrPng', () => {
  it('reads back the URI of a rendered QR', async () => {
    const uri = otpauthUri({ email: 'a@example.com', secret: 'JBSWY3DPEHPK3PXP' });
    expect(decodeQrPng(await qrPng(uri))).toBe(uri);
  });

  it('returns null for bytes that are not a PNG, and for a PNG without a code', () => {
    expect(decodeQrPng(Buffer.from('not a png'))).toBeNull();
    const blank = new PNG({ width: 40, height: 40 });
    blank.data.fill(255);
    expect(decodeQrPng(PNG.sync.write(blank))).toBeNull();
  });
});
