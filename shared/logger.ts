/**
 * The pino root logger. Redaction by path covers passwords, keys, codes, cookies and sealed
 * values wherever they sit (top level, one or two levels down). Pretty output only in
 * development; JSON everywhere else.
 */
import pino, { type Logger, type DestinationStream } from 'pino';
import type { Config } from './config';

export type { Logger } from 'pino';

const SECRET_FIELDS = [
  'password',
  'newPassword',
  'secret',
  'key',
  'totpKey',
  'setupKey',
  'sealed',
  'sealedSecret',
  'sealedKey',
  'sealedPassword',
  'sealedCookies',
  'code',
  'pin',
  'otp',
  'token',
  'cookie',
  'cookies',
  'authorization',
  'recoveryCodes',
  'otpauthUri',
  'uri',
];

/** Every redacted path: `field`, `*.field` and `*.*.field`. */
const REDACT_PATHS: readonly string[] = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

/** Creates the process's root logger; bind ids with `.child({ ... })`. */
export function createLogger(
  config: Pick<Config, 'log' | 'serviceName'>,
  destination?: DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level: config.log.level,
    base: { service: config.serviceName },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
  };
  if (destination) return pino(options, destination);
  if (config.log.pretty) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { colorize: true, destination: 2 } },
    });
  }
  return pino(options, pino.destination(2));
}
