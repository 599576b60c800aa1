import { z } from 'zod';
import { contract, type Channel } from '../../../shared/ipc';

// The smallest request a channel's schema accepts, derived from the contract itself so a channel
// added to shared/ipc.ts is covered without editing the test: required fields only, the first enum
// value, the shortest allowed string and array, the minimum number. The result is checked against
// the contract, so a schema this cannot satisfy fails loudly instead of testing nothing.

interface JsonSchema {
  readonly type?: string;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly minLength?: number;
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly format?: string;
  readonly pattern?: string;
}

export function minimalRequest(channel: Channel): unknown {
  const schema = contract[channel].request;
  const request = minimalValue(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema, channel);
  const checked = schema.safeParse(request);
  if (!checked.success) throw new Error(`cannot derive a valid request for ${channel} from its schema: ${checked.error.issues[0]?.message ?? ''}`);
  return request;
}

function minimalValue(schema: JsonSchema, at: string): unknown {
  if ('const' in schema) return schema.const;
  if (schema.enum) return schema.enum[0];
  const options = schema.anyOf ?? schema.oneOf ?? schema.allOf;
  if (options?.[0]) return minimalValue(options[0], at);
  switch (schema.type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((key) => [key, minimalValue(schema.properties?.[key] ?? {}, `${at}.${key}`)]));
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => minimalValue(schema.items ?? {}, `${at}[]`));
    case 'string':
      if (schema.format === 'date-time') return new Date(0).toISOString();
      if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
      if (schema.pattern) throw new Error(`${at}: a required string with a pattern (${schema.pattern}) needs an explicit example`);
      return 'x'.repeat(schema.minLength ?? 0);
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.exclusiveMinimum === undefined ? 0 : schema.exclusiveMinimum + 1);
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      throw new Error(`${at}: no JSON Schema type to derive a value from (${JSON.stringify(schema).slice(0, 80)})`);
  }
}
