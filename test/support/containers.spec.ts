import { describe, expect, it } from 'vitest';
import { tryStart } from './containers.js';

describe('container-backed suites', () => {
  it('skip only when there is no container runtime', async () => {
    const skipped = await tryStart(() => Promise.reject(new Error('Could not find a working container runtime strategy')));
    expect(skipped).toEqual({ skip: 'no container runtime: Could not find a working container runtime strategy' });
  });

  it('fail for any other reason', async () => {
    await expect(tryStart(() => Promise.reject(new Error('image minio/minio not found')))).rejects.toThrow('image minio/minio not found');
  });
});
