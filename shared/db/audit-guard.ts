/**
 * Keeps secrets out of the audit trail. Details must be a small flat object of primitives; a
 * key that names a secret, or a value shaped like one, is refused before anything is written.
 * Refusal messages name the offending key, never the value.
 */
import type { AuditDetailValue } from './audit-event.model';
import { isSecretLookingKey, secretShapeOf } from '../secret-shapes';
import { AuditDetailsRefusedError } from './errors';

/** 20 keys and 200 characters per string: room for ids, counts and reasons, not for payloads. */
const MAX_KEYS = 20;
const MAX_STRING = 200;

/** Validates details and returns a plain copy, or throws AuditDetailsRefusedError. */
export function assertSafeAuditDetails(details: unknown): Record<string, AuditDetailValue> {
  if (details === undefined) return {};
  if (typeof details !== 'object' || details === null || Array.isArray(details)) {
    throw new AuditDetailsRefusedError('audit details must be a plain object');
  }
  const entries = Object.entries(details);
  if (entries.length > MAX_KEYS) {
    throw new AuditDetailsRefusedError(
      `audit details have ${entries.length} keys, max ${MAX_KEYS}`,
    );
  }
  const out: Record<string, AuditDetailValue> = {};
  for (const [key, value] of entries) {
    if (isSecretLookingKey(key)) {
      throw new AuditDetailsRefusedError(`audit detail "${key}" is named like a secret`);
    }
    if (typeof value === 'string') {
      if (value.length > MAX_STRING) {
        throw new AuditDetailsRefusedError(`audit detail "${key}" is longer than ${MAX_STRING}`);
      }
      const shape = secretShapeOf(value);
      if (shape) throw new AuditDetailsRefusedError(`audit detail "${key}" looks like ${shape}`);
    } else if (!(
      value === null ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value))
    )) {
      throw new AuditDetailsRefusedError(
        `audit detail "${key}" must be a string, finite number, boolean or null`,
      );
    }
    out[key] = value as AuditDetailValue;
  }
  return out;
}
