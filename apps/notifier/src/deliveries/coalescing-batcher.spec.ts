import { CoalescingBatcher } from './coalescing-batcher';

describe('CoalescingBatcher', () => {
  it('sends the first call alone and gathers the ones that arrive meanwhile', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const batcher = new CoalescingBatcher<number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    const first = batcher.add(1);
    const rest = [2, 3, 4].map((n) => batcher.add(n));
    release();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it("answers each caller with its own item's result", async () => {
    const batcher = new CoalescingBatcher<number, string>(async (items) => items.map((n) => `n${n * 10}`));
    await expect(Promise.all([3, 1, 2].map((n) => batcher.add(n)))).resolves.toEqual(['n30', 'n10', 'n20']);
  });

  it('rejects every caller of a failed batch, and goes on with the next', async () => {
    let calls = 0;
    const batcher = new CoalescingBatcher<number>(async () => {
      calls++;
      if (calls === 1) throw new Error('down');
    });
    await expect(batcher.add(1)).rejects.toThrow('down');
    await expect(batcher.add(2)).resolves.toBeUndefined();
  });

  it('caps a batch', async () => {
    const sizes: number[] = [];
    const batcher = new CoalescingBatcher<number>(async (items) => {
      sizes.push(items.length);
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.add(n)));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(5);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2);
  });
});
