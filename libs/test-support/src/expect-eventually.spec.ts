import { expectEventually } from './expect-eventually';

describe('expectEventually', () => {
  it('returns once the assertion holds', async () => {
    let calls = 0;
    await expect(expectEventually(() => (++calls >= 3 ? calls : Promise.reject(new Error('not yet'))), 2000, 1)).resolves.toBe(3);
  });

  it('rethrows the last failure when time is up', async () => {
    await expect(expectEventually(() => Promise.reject(new Error('never')), 30, 5)).rejects.toThrow('never');
  });
});
