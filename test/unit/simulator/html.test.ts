import { escapeHtml, html, jsonForScript, raw } from '../../../simulator/html';
import { formatKey, otpauthUri } from '../../../simulator/setup-key';

describe('simulator html templates', () => {
  it('escapes every interpolation, including in attributes and arrays', () => {
    const evil = `"><script>alert('x')</script>&=\``;
    const out = html`<input value="${evil}" />
      <p>${[evil, 1, null, false, undefined]}</p>`.value;
    expect(out).not.toContain('<script>');
    expect(out).not.toMatch(/value="[^"]*"[^>]*"/);
    expect(out).toContain(`value="${escapeHtml(evil)}"`);
    expect(out).toContain(`<p>${escapeHtml(evil)}1</p>`);
    expect(escapeHtml(`<>&"'\`=`)).toBe('&lt;&gt;&amp;&quot;&#39;&#96;&#61;');
  });

  it('passes nested templates and raw() through unescaped', () => {
    expect(html`<div>${html`<b>${'<i>'}</b>`}${raw('<br>')}</div>`.value).toBe(
      '<div><b>&lt;i&gt;</b><br></div>',
    );
  });

  it('serialises script data so it cannot close the script element', () => {
    const s = jsonForScript({ a: '</script><script>x()</script>', b: '\u2028' }).value;
    expect(s).not.toContain('</script>');
    expect(JSON.parse(s)).toEqual({ a: '</script><script>x()</script>', b: '\u2028' });
  });
});

describe('setup key display', () => {
  const key = 'BCUTUKT6MT33Y3FCHSMHU2XRHKLTX7RN';
  it('formats plain, grouped in fours and lowercase', () => {
    expect(formatKey(key, 'plain')).toBe(key);
    expect(formatKey(key, 'grouped')).toBe('BCUT UKT6 MT33 Y3FC HSMH U2XR HKLT X7RN');
    expect(formatKey(key, 'lowercase')).toBe(key.toLowerCase());
  });
  it('builds the otpauth URI with the label URL-encoded', () => {
    expect(otpauthUri('a+b@example.com', key)).toBe(
      `otpauth://totp/LinkedIn:a%2Bb%40example.com?secret=${key}&issuer=LinkedIn`,
    );
  });
});
