import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONFIG_VARIABLES, parseEnvFile } from '../../shared/config';

describe('.env.example', () => {
  const documented = parseEnvFile(readFileSync(resolve(__dirname, '../../.env.example'), 'utf8'));

  it('documents every variable the config reads, and nothing else', () => {
    expect(Object.keys(documented).sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});
