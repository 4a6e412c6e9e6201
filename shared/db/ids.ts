/** Id conversion at the repository boundary: callers use hex strings, documents use ObjectIds. */
import { Types } from 'mongoose';
import { ValidationError } from '../errors';

/** Parses a 24-hex-digit id, or throws ValidationError naming the field (not the value). */
export function toObjectId(id: string, field = 'id'): Types.ObjectId {
  if (typeof id !== 'string' || !/^[0-9a-f]{24}$/i.test(id)) {
    throw new ValidationError(`${field} must be a 24-character hex id`, field);
  }
  return new Types.ObjectId(id);
}

/** A fresh id, for sealing values bound to an account before the account is inserted. */
export function newId(): string {
  return new Types.ObjectId().toHexString();
}
