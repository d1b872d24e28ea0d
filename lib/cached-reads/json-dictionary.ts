import 'server-only';
import { createHash } from 'node:crypto';
import { JSON_DICTIONARY_BASE64 } from './json-dictionary.data';

/** The preset DEFLATE dictionary API answers are packed against (see json-resource.ts). */
export const JSON_DICTIONARY = Buffer.from(JSON_DICTIONARY_BASE64, 'base64');

/** Short and stable: part of every API entry's key, so an entry is only ever unpacked with its own dictionary. */
export const JSON_DICTIONARY_ID = `d${createHash('sha256').update(JSON_DICTIONARY).digest('base64url').slice(0, 6)}`;
