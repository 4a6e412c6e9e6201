import { Writable } from 'node:stream';
import { createLogger } from '../../../shared/logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const log = createLogger({ serviceName: 'test', log: { level: 'info', pretty: false } }, stream);
  return { log, text: () => lines.join('') };
}

describe('logger redaction', () => {
  it('redacts secrets by path at the top level and nested', () => {
    const { log, text } = capture();
    log.info(
      {
        password: 'hunter2-password',
        code: '123456',
        account: {
          sealedKey: 'sb1.sealed-value',
          cookies: [{ name: 'li_at', value: 'AQEDAcookie' }],
        },
        job: { payload: { setupKey: 'JBSWY3DPEHPK3PXP' } },
        accountId: 'acct-1',
      },
      'event',
    );
    const out = text();
    for (const secret of [
      'hunter2-password',
      '123456',
      'sb1.sealed-value',
      'AQEDAcookie',
      'JBSWY3DPEHPK3PXP',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('[redacted]');
    expect(out).toContain('acct-1');
    expect((JSON.parse(out) as { service: string }).service).toBe('test');
  });
});
