/**
 * driver-spec/schema.json is the published form of driver-spec/schema.ts, and other JSON Schema tools accept it.
 */
import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { driverSchema } from '../../driver-spec/schema.js';
import { repoRoot, specFixture } from './helpers.js';

describe('driver-spec/schema.json', () => {
  it('is up to date with driver-spec/schema.ts (regenerate: npx tsx driver-spec/write-schema.ts)', async () => {
    const written = JSON.parse(await readFile(`${repoRoot}driver-spec/schema.json`, 'utf8')) as unknown;
    expect(written).toEqual(JSON.parse(JSON.stringify(driverSchema)));
  });

  it('validates driver files with a plain JSON Schema validator', async () => {
    const validate = new Ajv({ allowUnionTypes: true }).compile(
      JSON.parse(await readFile(`${repoRoot}driver-spec/schema.json`, 'utf8')) as object,
    );
    for (const file of [
      `${repoRoot}drivers/example-app/driver.styrmin.yml`,
      specFixture('original-no-actions', 'driver.styrmin.yml'),
      specFixture('original-no-default-version', 'driver.styrmin.yml'),
    ]) {
      expect(validate(parse(await readFile(file, 'utf8')))).toBe(true);
    }
    const broken = parse(await readFile(specFixture('broken', 'bad-hook.yml'), 'utf8')) as unknown;
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ instancePath: '/spec/actions/1/hook', keyword: 'enum' });
  });
});
