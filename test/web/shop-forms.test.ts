// The pure parts of the shop pages: the configuration form worked out from a JSON Schema (fields,
// defaults, client-side checks, the server's pointers mapped back onto fields) and money shown
// from exact strings without ever passing through a float.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../web/shared/api/problem.js';
import { buildConfiguration, configurationErrors, constraintHint, describeSchema, initialValues, RAW_CONFIGURATION } from '../../web/shared/forms/schema-form-model.js';
import { formatMinor, formatMoney, isDecimalAmount, minorToMajor } from '../../web/shared/money.js';

const SCHEMA = {
  type: 'object',
  required: ['hostname'],
  additionalProperties: false,
  properties: {
    region: { type: 'string', enum: ['eu-west', 'us-east'], default: 'eu-west', title: 'Region' },
    hostname: { type: 'string', format: 'hostname', minLength: 3, maxLength: 63 },
    disk: { type: 'integer', minimum: 10, maximum: 500, default: 20 },
    backups: { type: 'boolean', default: true },
    tags: { type: 'array', items: { type: 'string' } },
  },
};

function problem(errors: { pointer: string; message: string }[]): ApiError {
  return new ApiError({ type: 'about:blank', title: 'Unprocessable', status: 422, detail: 'Invalid', code: 'PLAT_UNPROCESSABLE', requestId: 'req_1', errors });
}

describe('the configuration form model', () => {
  it('draws strings, enums, integers and booleans as fields with defaults and required marks, and anything else as raw JSON', () => {
    const model = describeSchema(SCHEMA);
    expect(model.fields?.map((field) => [field.name, field.kind, field.required])).toEqual([
      ['region', 'string', false],
      ['hostname', 'string', true],
      ['disk', 'number', false],
      ['backups', 'boolean', false],
      ['tags', 'json', false],
    ]);
    expect(model.fields?.[0]).toMatchObject({ label: 'Region', enum: ['eu-west', 'us-east'], default: 'eu-west' });
    expect(initialValues(model)).toEqual({ region: 'eu-west', hostname: '', disk: '20', backups: true, tags: '' });
  });

  it('falls back to one JSON editor when the root is not a plain object of properties', () => {
    const model = describeSchema({ type: 'object', oneOf: [{ properties: {} }] });
    expect(model.fields).toBeNull();
    expect(model.fallback).toMatch(/oneOf/);
    expect(buildConfiguration(model, { [RAW_CONFIGURATION]: '{"a": 1}' })).toEqual({ configuration: { a: 1 }, errors: {} });
    expect(buildConfiguration(model, { [RAW_CONFIGURATION]: '[1]' }).errors[RAW_CONFIGURATION]).toMatch(/object/);
    expect(buildConfiguration(model, { [RAW_CONFIGURATION]: '{' }).errors[RAW_CONFIGURATION]).toMatch(/not valid JSON/);
  });

  it('checks required, enum, length and bounds on the client, and leaves empty optional fields to the server’s defaults', () => {
    const model = describeSchema(SCHEMA);
    const values = { region: 'mars', hostname: 'ab', disk: '5', backups: false, tags: '' };
    expect(buildConfiguration(model, values).errors).toEqual({ region: 'Choose one of: eu-west, us-east.', hostname: 'Must be at least 3 characters.', disk: 'Must be at least 10.' });
    expect(buildConfiguration(model, { ...values, hostname: '' }).errors.hostname).toBe('Required.');
    // Unchecked (for the live quote), the values go to the server as they are; text that is no number cannot go at all.
    expect(buildConfiguration(model, values, false)).toEqual({ configuration: { region: 'mars', hostname: 'ab', disk: 5, backups: false }, errors: {} });
    expect(buildConfiguration(model, { ...values, disk: '1.5' }, false).errors).toEqual({});
    expect(buildConfiguration(model, { ...values, disk: 'ten' }, false).errors).toEqual({ disk: 'Enter a whole number.' });
    expect(buildConfiguration(model, { region: '', hostname: 'web-1', disk: '', backups: true, tags: '["a"]' })).toEqual({ configuration: { hostname: 'web-1', backups: true, tags: ['a'] }, errors: {} });
  });

  it('puts the server’s messages on the fields their pointers name, for one item or for the whole order', () => {
    const model = describeSchema(SCHEMA);
    const error = problem([
      { pointer: '/configuration/hostname', message: 'must match format "hostname"' },
      { pointer: '/configuration/colour', message: 'must NOT have additional properties' },
      { pointer: '/quantity', message: 'must be >= 1' },
    ]);
    expect(configurationErrors(error, model)).toEqual({ hostname: 'Must match format "hostname".', [RAW_CONFIGURATION]: 'colour: Must not have additional properties.' });
    const submitted = problem([
      { pointer: '/items/0/configuration/disk', message: 'must be >= 10' },
      { pointer: '/items/1/configuration/disk', message: 'must be <= 500' },
    ]);
    expect(configurationErrors(submitted, model, 1)).toEqual({ disk: 'Must be <= 500.' });
    expect(configurationErrors(null, model)).toEqual({});
  });

  it('uses the schema’s title, description and x-errorMessage, and never shows a regular expression', () => {
    const model = describeSchema({
      type: 'object',
      properties: {
        hostname: { type: 'string', title: 'Server name', description: 'Lower-case letters and digits', pattern: '^[a-z0-9]+$', 'x-errorMessage': 'Use lower-case letters and digits only.' },
        code: { type: 'string', pattern: '^[A-Z]{3}$' },
      },
    });
    expect(model.fields?.map((field) => [field.kind, field.label])).toEqual([
      ['string', 'Server name'],
      ['string', 'Code'],
    ]);
    const errors = buildConfiguration(model, { hostname: 'Web 1', code: 'abc' }).errors;
    expect(errors).toEqual({ hostname: 'Use lower-case letters and digits only.', code: 'Not in the expected format.' });
    const hints = (model.fields ?? []).map((field) => constraintHint(field) ?? '');
    expect(hints[0]).toBe('Lower-case letters and digits');
    for (const text of [...hints, ...Object.values(errors)]) expect(text).not.toMatch(/\^|\$|\[/);
    // An older server's words for a pattern are turned into the gist too.
    expect(configurationErrors(problem([{ pointer: '/configuration/code', message: 'must match pattern "^[A-Z]{3}$"' }]), model)).toEqual({ code: 'Is not in the expected format.' });
  });
});

describe('money on screen', () => {
  it('moves the decimal point of minor units by the currency’s exponent, exactly', () => {
    expect(minorToMajor('1250', 'EUR')).toBe('12.50');
    expect(minorToMajor('5', 'EUR')).toBe('0.05');
    expect(minorToMajor('-5', 'EUR')).toBe('-0.05');
    expect(minorToMajor('4500', 'JPY')).toBe('4500');
    expect(minorToMajor('1234', 'BHD')).toBe('1.234');
    expect(minorToMajor('900719925474099312345', 'EUR')).toBe('9007199254740993123.45');
  });

  it('formats decimal strings without rounding through a float', () => {
    const usd = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' });
    expect(formatMoney('9007199254740993.01', 'USD')).toBe(usd.format('9007199254740993.01'));
    // The same amount through a float comes out different: that is what never happens here.
    expect(formatMoney('9007199254740993.01', 'USD')).not.toBe(usd.format(Number('9007199254740993.01')));
    const eur = (digits: number) => new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR', maximumFractionDigits: digits });
    expect(formatMinor('1250', 'EUR')).toBe(eur(2).format('12.50'));
    expect(formatMoney('0.0125', 'EUR', true)).toBe(eur(20).format('0.0125'));
    expect(formatMoney('0.0125', 'EUR')).toBe(eur(2).format('0.01'));
  });

  it('accepts only the amounts the API accepts', () => {
    expect(['0', '12', '12.50', '0.0125'].every(isDecimalAmount)).toBe(true);
    expect(['', '012', '1.', '-1', '1e3', '12.1234567890123'].some(isDecimalAmount)).toBe(false);
  });
});
