import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ar from './messages/ar.json';

// Every message id used in the sources has an Arabic translation, and the
// catalog has no ids that no longer exist.
function sourceIds(dir: string, out = new Set<string>()): Set<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceIds(path, out);
    else if (/\.tsx?$/.test(name) && !/\.test\./.test(name)) {
      for (const m of readFileSync(path, 'utf8').matchAll(/\bid: '([a-zA-Z.]+)'/g)) out.add(m[1]);
    }
  }
  return out;
}

describe('Arabic catalog', () => {
  const ids = sourceIds(join(__dirname, '..'));
  it('translates every message', () => {
    expect([...ids].filter((id) => !(id in ar))).toEqual([]);
  });
  it('has no stale ids', () => {
    expect(Object.keys(ar).filter((id) => !ids.has(id))).toEqual([]);
  });
});
